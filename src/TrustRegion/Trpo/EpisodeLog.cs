namespace TrustRegion.Trpo;

/// <summary>
/// The raw returns and lengths of the most recent episodes (a ring of <see cref="Capacity"/>, as Stable-Baselines3's
/// <c>ep_info_buffer</c>), from which <c>rollout/ep_return_mean</c> and <c>rollout/ep_len_mean</c> are logged.
/// </summary>
internal sealed class EpisodeLog
{
    internal const int Capacity = 100;

    private readonly double[] _returns = new double[Capacity];
    private readonly double[] _lengths = new double[Capacity];
    private int _next;

    /// <summary>Episodes held (at most <see cref="Capacity"/>).</summary>
    internal int Count { get; private set; }

    /// <summary>Episodes ever added.</summary>
    internal long Total { get; private set; }

    internal void Add(double episodeReturn, int length)
    {
        _returns[_next] = episodeReturn;
        _lengths[_next] = length;
        _next = (_next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
        Total++;
    }

    /// <summary>Mean return of the held episodes; NaN when none ended yet.</summary>
    internal double MeanReturn => Mean(_returns);

    /// <summary>Mean length of the held episodes; NaN when none ended yet.</summary>
    internal double MeanLength => Mean(_lengths);

    /// <summary>The ring as stored: returns, lengths (<see cref="Capacity"/> each), then the count and the next slot, for checkpoints.</summary>
    internal double[] Export()
    {
        var data = new double[(2 * Capacity) + 2];
        _returns.CopyTo(data, 0);
        _lengths.CopyTo(data, Capacity);
        data[2 * Capacity] = Count;
        data[(2 * Capacity) + 1] = _next;
        return data;
    }

    /// <summary>Restores what <see cref="Export"/> wrote, with the total episode count.</summary>
    /// <exception cref="InvalidDataException">The data has the wrong length or invalid counters.</exception>
    internal void Import(ReadOnlySpan<double> data, long total)
    {
        if (data.Length != (2 * Capacity) + 2)
        {
            throw new InvalidDataException($"The episode log holds {data.Length} values; expected {(2 * Capacity) + 2}.");
        }
        double count = data[2 * Capacity], next = data[(2 * Capacity) + 1];
        if (count is < 0 or > Capacity || next is < 0 or >= Capacity || count != Math.Floor(count) || next != Math.Floor(next))
        {
            throw new InvalidDataException($"The episode log has count {count} and next slot {next}; expected integers in [0, {Capacity}].");
        }
        data[..Capacity].CopyTo(_returns);
        data.Slice(Capacity, Capacity).CopyTo(_lengths);
        Count = (int)count;
        _next = (int)next;
        Total = total;
    }

    private double Mean(double[] values)
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        double s = 0;
        for (int i = 0; i < Count; i++)
        {
            s += values[i];
        }
        return s / Count;
    }
}
