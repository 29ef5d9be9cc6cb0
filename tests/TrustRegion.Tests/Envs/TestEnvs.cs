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
