using TrustRegion.Envs;
using TrustRegion.Numerics;

// The custom-environment example of docs/environments.md, verbatim, so that it is known to compile and conform.
namespace TrustRegion.Tests.Envs.DocsExample;

/// <summary>Extras of the last step: how far the walker is from the goal.</summary>
public readonly record struct LineWalkInfo(double DistanceToGoal);

/// <summary>
/// Walk along a line. Observation: Box(float32, 2) = (position, velocity). Action: Discrete(3) = step left, stay, right.
/// Reward: −0.1 per step, +10 on reaching position 10. Start: position uniform in [−1, 1), velocity 0.
/// Termination: position ≥ 10. Truncation: none here; register it with a time limit.
/// </summary>
public sealed class LineWalkEnv : IEnv, IEnvInfo<LineWalkInfo>
{
    private const double Goal = 10.0;
    private Rng _rng = new(0);
    private double _position, _velocity;
    private bool _ready;

    public Space ObservationSpace { get; } = new Box([-100.0, -1.0], [100.0, 1.0]);
    public Space ActionSpace { get; } = new Discrete(3);
    public LineWalkInfo LastInfo { get; private set; }

    public void Reset(ulong? seed, Span<double> observation)
    {
        if (seed.HasValue)
        {
            _rng = new Rng(seed.Value);
        }
        _position = (float)_rng.NextDouble(-1.0, 1.0);   // float32 space: keep float32-exact values
        _velocity = 0.0;
        _ready = true;
        Observe(observation);
    }

    public StepResult Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        if (!_ready)
        {
            throw new InvalidOperationException("LineWalk-v0: call Reset before Step.");
        }
        if (action.Length != 1 || !ActionSpace.Contains(action))
        {
            throw new ArgumentException($"LineWalk-v0: action [{string.Join(", ", action.ToArray())}] is not in {ActionSpace}.", nameof(action));
        }
        _velocity = action[0] - 1.0;                       // −1, 0 or +1
        _position = Math.Clamp(_position + _velocity, -100.0, 100.0);
        bool reached = _position >= Goal;
        LastInfo = new LineWalkInfo(Goal - _position);
        Observe(observation);
        return new StepResult(reached ? 10.0 : -0.1, Terminated: reached, Truncated: false);
    }

    public void Dispose()
    {
    }

    private void Observe(Span<double> observation)
    {
        observation[0] = (float)_position;
        observation[1] = (float)_velocity;
    }
}

public class DocsExampleTests
{
    [Fact]
    public void CustomEnvironmentExample_ConformsAndVectorizes()
    {
        EnvChecker.Check(new LineWalkEnv()).ThrowIfFailed();
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec("LineWalk-v0", () => new LineWalkEnv(), 50, 9.0, "Walk right to position 10."));
        using var envs = VectorEnv.Make("LineWalk-v0", numEnvs: 4, registry: registry);
        var buffers = new VectorStepBuffers(4, 2);
        envs.Reset(1, new double[8]);
        int ended = 0;
        for (int t = 0; t < 60; t++)
        {
            envs.Step([2, 2, 2, 2], buffers);
            ended += buffers.EpisodesEnded;
        }
        Assert.True(ended >= 4);
        Assert.True(envs.GetEnv(0).TryGetInfo(out LineWalkInfo info));
        Assert.True(info.DistanceToGoal <= 10);
    }
}
