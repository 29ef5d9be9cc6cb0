using TrustRegion.Envs;

namespace TrustRegion.Tests.Envs;

/// <summary>A tiny user environment: walk on a line, reward = position; returns NaN/∞ on request to test the vector checks.</summary>
internal sealed class LineWalkEnv : IEnv
{
    private double _position;
    private int _steps;

    public LineWalkEnv(int episodeLength = 5, int poisonAtStep = -1, bool poisonReward = false)
    {
        EpisodeLength = episodeLength;
        PoisonAtStep = poisonAtStep;
        PoisonReward = poisonReward;
    }

    public int EpisodeLength { get; }
    public int PoisonAtStep { get; }
    public bool PoisonReward { get; }
    public ulong? LastSeed { get; private set; }
    public Space ObservationSpace { get; } = Box.Uniform(-100, 100, 1);
    public Space ActionSpace { get; } = new Discrete(2);

    public void Reset(ulong? seed, Span<double> observation)
    {
        if (seed.HasValue)
        {
            LastSeed = seed;
            _position = seed.Value % 3;
        }
        else
        {
            _position = 0;
        }
        _steps = 0;
        observation[0] = _position;
    }

    public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        _steps++;
        _position += action[0] == 1 ? 1 : -1;
        observation[0] = _position;
        double reward = _position;
        if (_steps == PoisonAtStep)
        {
            if (PoisonReward)
            {
                reward = double.PositiveInfinity;
            }
            else
            {
                observation[0] = double.NaN;
            }
        }
        return new StepResult(reward, _position >= 3, _steps >= EpisodeLength);
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// A user environment whose observation has <c>size</c> elements and that misbehaves on request at one step of its first
/// episode: a non-finite observation element, a thrown <see cref="ArgumentException"/>, or a non-finite observation from the
/// reset that follows an episode end. Used to check which error the vectorized layer reports first.
/// </summary>
internal sealed class ScriptedEnv : IEnv
{
    private int _steps;
    private int _resets;

    public ScriptedEnv(int size, int episodeLength = 100)
    {
        ObservationSpace = Box.Uniform(double.NegativeInfinity, double.PositiveInfinity, size);
        EpisodeLength = episodeLength;
    }

    public int EpisodeLength { get; }
    public int PoisonAtStep { get; init; } = -1;
    public int PoisonElement { get; init; }
    public double PoisonValue { get; init; } = double.NaN;
    public int ThrowAtStep { get; init; } = -1;
    public bool PoisonSecondReset { get; init; }
    public Space ObservationSpace { get; }
    public Space ActionSpace { get; } = new Discrete(2);

    public void Reset(ulong? seed, Span<double> observation)
    {
        _steps = 0;
        _resets++;
        observation.Fill(0.5);
        if (PoisonSecondReset && _resets == 2)
        {
            observation[PoisonElement] = PoisonValue;
        }
    }

    public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        _steps++;
        if (_steps == ThrowAtStep)
        {
            throw new ArgumentException($"Scripted: action {action[0]} rejected at step {_steps}.", nameof(action));
        }
        for (int j = 0; j < observation.Length; j++)
        {
            observation[j] = _steps + j;
        }
        if (_steps == PoisonAtStep)
        {
            observation[PoisonElement] = PoisonValue;
        }
        return new StepResult(1.0, false, _steps >= EpisodeLength);
    }

    public void Dispose()
    {
    }
}
