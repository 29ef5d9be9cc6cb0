using System.Runtime.Intrinsics;

namespace TrustRegion.Envs.Wrappers;

/// <summary>
/// Running per-element mean and (population) variance of batches, merged with the parallel algorithm of Chan, Golub and
/// LeVeque (1979), as Stable-Baselines3's <c>RunningMeanStd</c>: the count starts at 1e-4, the mean at 0, the variance at 1.
/// </summary>
/// <remarks>
/// Update with a batch of n rows [n, Size]: <c>δ = batchMean − mean</c>, <c>N = count + n</c>, <c>mean += δ·n/N</c>,
/// <c>var = (var·count + batchVar·n + δ²·count·n/N) / N</c>, <c>count = N</c>. No allocation after construction.
/// </remarks>
public sealed class RunningMeanStd : ISnapshotable
{
    /// <summary>Initial count, which keeps the first update from dividing by zero.</summary>
    public const double InitialCount = 1e-4;

    private const string SnapshotTag = "TrustRegion.Envs.Wrappers.RunningMeanStd";

    private readonly double[] _mean;
    private readonly double[] _var;
    private readonly double[] _batchMean;
    private readonly double[] _batchVar;

    /// <summary>Creates statistics for vectors of <paramref name="size"/> elements.</summary>
    public RunningMeanStd(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _mean = new double[size];
        _var = new double[size];
        Array.Fill(_var, 1.0);
        _batchMean = new double[size];
        _batchVar = new double[size];
        Count = InitialCount;
    }

    /// <summary>Elements per vector.</summary>
    public int Size => _mean.Length;

    /// <summary>Running mean, [Size].</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Running population variance, [Size].</summary>
    public ReadOnlySpan<double> Variance => _var;

    /// <summary>Number of vectors seen, plus <see cref="InitialCount"/>.</summary>
    public double Count { get; private set; }

    /// <summary>Merges a batch of <c>batch.Length / Size</c> rows, row-major.</summary>
    public void Update(ReadOnlySpan<double> batch)
    {
        int size = _mean.Length;
        int n = batch.Length / size;
        if (n == 0 || n * size != batch.Length)
        {
            throw new ArgumentException($"batch has length {batch.Length}; expected a positive multiple of Size = {size}.", nameof(batch));
        }
        Array.Clear(_batchMean);
        Array.Clear(_batchVar);
        // Element-wise, a vector of elements at a time: every element gets the same operations in the same order as the scalar
        // tail below (IEEE operations round each element alone), so the statistics do not depend on the vector width.
        int full = Vector512.IsHardwareAccelerated ? size & ~(Vector512<double>.Count - 1) : 0;
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<double> row = batch.Slice(r * size, size);
            for (int j = 0; j < full; j += Vector512<double>.Count)
            {
                (Vector512.Create(_batchMean.AsSpan(j)) + Vector512.Create(row[j..])).CopyTo(_batchMean.AsSpan(j));
            }
            for (int j = full; j < size; j++)
            {
                _batchMean[j] += row[j];
            }
        }
        for (int j = 0; j < size; j++)
        {
            _batchMean[j] /= n;
        }
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<double> row = batch.Slice(r * size, size);
            for (int j = 0; j < full; j += Vector512<double>.Count)
            {
                var d = Vector512.Create(row[j..]) - Vector512.Create(_batchMean.AsSpan(j));
                (Vector512.Create(_batchVar.AsSpan(j)) + (d * d)).CopyTo(_batchVar.AsSpan(j));
            }
            for (int j = full; j < size; j++)
            {
                double d = row[j] - _batchMean[j];
                _batchVar[j] += d * d;
            }
        }
        double count = Count, total = count + n;
        var vn = Vector512.Create((double)n);
        var vCount = Vector512.Create(count);
        var vTotal = Vector512.Create(total);
        for (int j = 0; j < full; j += Vector512<double>.Count)
        {
            var batchVar = Vector512.Create(_batchVar.AsSpan(j)) / vn;
            var mean = Vector512.Create(_mean.AsSpan(j));
            var delta = Vector512.Create(_batchMean.AsSpan(j)) - mean;
            (mean + (delta * vn / vTotal)).CopyTo(_mean.AsSpan(j));
            var m2 = (Vector512.Create(_var.AsSpan(j)) * vCount) + (batchVar * vn) + (delta * delta * vCount * vn / vTotal);
            (m2 / vTotal).CopyTo(_var.AsSpan(j));
        }
        for (int j = full; j < size; j++)
        {
            double batchVar = _batchVar[j] / n;
            double delta = _batchMean[j] - _mean[j];
            _mean[j] += delta * n / total;
            double m2 = (_var[j] * count) + (batchVar * n) + (delta * delta * count * n / total);
            _var[j] = m2 / total;
        }
        Count = total;
    }

    /// <summary>Replaces the statistics (e.g. from a checkpoint).</summary>
    /// <exception cref="ArgumentException">Lengths differ from Size, a value is not finite, a variance is negative, or the count is not positive.</exception>
    public void Set(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, double count)
    {
        if (mean.Length != Size || variance.Length != Size)
        {
            throw new ArgumentException($"Statistics have lengths {mean.Length} (mean) and {variance.Length} (variance); expected {Size} each.", nameof(mean));
        }
        if (!double.IsFinite(count) || count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be finite and positive.");
        }
        for (int j = 0; j < Size; j++)
        {
            if (!double.IsFinite(mean[j]) || !double.IsFinite(variance[j]) || variance[j] < 0)
            {
                throw new ArgumentException($"Statistic {j} is invalid: mean {mean[j]}, variance {variance[j]} (need finite values and variance >= 0).", nameof(variance));
            }
        }
        mean.CopyTo(_mean);
        variance.CopyTo(_var);
        Count = count;
    }

    /// <inheritdoc/>
    /// <remarks>Block "TrustRegion.Envs.Wrappers.RunningMeanStd", version 1: Size (checked on load), mean, variance and count, bit for bit.</remarks>
    public void SaveSnapshot(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        SnapshotBlock.WriteHeader(writer, SnapshotTag, 1);
        writer.Write(Size);
        for (int j = 0; j < _mean.Length; j++)
        {
            writer.Write(_mean[j]);
            writer.Write(_var[j]);
        }
        writer.Write(Count);
    }

    /// <inheritdoc/>
    public void LoadSnapshot(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        SnapshotBlock.ReadHeader(reader, SnapshotTag, 1);
        try
        {
            SnapshotBlock.ExpectInt32(reader, nameof(RunningMeanStd), nameof(Size), Size);
            var mean = new double[_mean.Length];
            var variance = new double[_var.Length];
            for (int j = 0; j < mean.Length; j++)
            {
                mean[j] = reader.ReadDouble();
                variance[j] = reader.ReadDouble();
                if (!double.IsFinite(mean[j]) || !(variance[j] >= 0) || double.IsPositiveInfinity(variance[j]))
                {
                    throw new InvalidDataException($"Snapshot of {nameof(RunningMeanStd)}: statistic {j} has mean {mean[j]} and variance {variance[j]}; need finite values with variance >= 0. The snapshot is damaged.");
                }
            }
            double count = reader.ReadDouble();
            if (!(count > 0) || !double.IsFinite(count))
            {
                throw new InvalidDataException($"Snapshot of {nameof(RunningMeanStd)}: count is {count}; it must be finite and positive. The snapshot is damaged.");
            }
            mean.CopyTo(_mean, 0);
            variance.CopyTo(_var, 0);
            Count = count;
        }
        catch (EndOfStreamException ex)
        {
            throw SnapshotBlock.Truncated(SnapshotTag, ex);
        }
    }
}
