using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Benchmarks.Core;

/// <summary>Benchmark shapes with 64-64 tanh networks: issue 2's two (Hopper, CartPole) and HalfCheetah-v4's (the MuJoCo presets' learner at its widest observation and action but Ant's).</summary>
public sealed record CorePreset(string Name, int Batch, int ObservationSize, Space ActionSpace, int ActionOutputs)
{
    public static CorePreset Get(string name) => name switch
    {
        "Hopper" => new CorePreset("Hopper", 2048, 11, Box.Uniform(-1, 1, 3), 3),
        "CartPole" => new CorePreset("CartPole", 1024, 4, new Discrete(2), 2),
        "HalfCheetah" => new CorePreset("HalfCheetah", 2048, 17, Box.Uniform(-1, 1, 6), 6),
        _ => throw new ArgumentException($"Unknown preset {name}; use Hopper, CartPole or HalfCheetah.", nameof(name)),
    };

    /// <summary>Multiply-adds of one forward pass over the batch (2 FLOP each).</summary>
    public double ForwardFlops(int outputs) => 2.0 * Batch * ((ObservationSize * 64) + (64 * 64) + (64 * outputs));

    /// <summary>Backward: weight gradients of every layer plus input gradients of layers 1 and 2.</summary>
    public double BackwardFlops(int outputs) => ForwardFlops(outputs) + (2.0 * Batch * ((64 * 64) + (64 * outputs)));

    /// <summary>Forward tangent: h·V on every layer plus t·W on layers 1 and 2 (layer 0's input has no tangent).</summary>
    public double TangentFlops(int outputs) => BackwardFlops(outputs);

    /// <summary>Builds a policy (network passes in <paramref name="precision"/>), a batch of observations, sampled actions and random advantages from a fixed seed.</summary>
    public (Policy Policy, double[] Obs, double[] Actions, double[] Advantages) MakeBatch(ulong seed = 1, NetworkPrecision precision = NetworkPrecision.Double)
    {
        var rng = new Rng(seed);
        var policy = new Policy(ActionSpace, ObservationSize, [64, 64], Activation.Tanh, 0.0, rng.Split(1), precision: precision);
        var obs = new double[Batch * ObservationSize];
        rng.FillGaussian(obs);
        var actions = new double[Batch * policy.ActionSize];
        policy.Act(obs, Batch, actions, new double[Batch], rng.Split(2), deterministic: false);
        var adv = new double[Batch];
        rng.FillGaussian(adv);
        return (policy, obs, actions, adv);
    }

    /// <summary>
    /// This preset's learner (64-64 tanh policy and value networks in <paramref name="precision"/>, TRPO updater with
    /// <paramref name="options"/>, both on <paramref name="pool"/>) and its batch from <see cref="MakeBatch"/>, with returns drawn
    /// from a fixed seed.
    /// </summary>
    public LearnerFixture MakeLearner(TrpoOptions options, ComputePool pool, NetworkPrecision precision = NetworkPrecision.Double)
    {
        (Policy policy, double[] obs, double[] actions, double[] adv) = MakeBatch(precision: precision);
        var updater = new TrpoUpdater(policy, Batch, options) { Workers = pool };
        var value = new ValueFunction(ObservationSize, [64, 64], Activation.Tanh, new Rng(6), precision) { Workers = pool };
        var returns = new double[Batch];
        new Rng(7).FillGaussian(returns);
        return new LearnerFixture(policy, updater, value, Batch, obs, actions, adv, returns);
    }
}

/// <summary>A policy step and a value fit that start from the same parameters every call (for repeatable benchmark invocations).</summary>
public sealed class LearnerFixture(Policy policy, TrpoUpdater updater, ValueFunction value, int batch, double[] obs, double[] actions, double[] advantages, double[] returns)
{
    private readonly double[] _theta = policy.Parameters.ToArray();
    private readonly double[] _valueTheta = value.Parameters.ToArray();

    public Policy Policy { get; } = policy;

    public ValueFunction Value { get; } = value;

    public int Batch { get; } = batch;

    /// <summary>Restores the starting policy parameters and takes one TRPO step on the whole batch; returns its KL.</summary>
    public double PolicyStep()
    {
        _theta.CopyTo(Policy.Parameters);
        return updater.Update(obs, actions, advantages, Batch).Kl;
    }

    /// <summary>Restores the starting value parameters and fits them to the returns; returns the mean loss.</summary>
    public double ValueFit(ValueFitOptions options, Rng rng)
    {
        _valueTheta.CopyTo(Value.Parameters);
        return Value.Fit(obs, returns, Batch, options, rng);
    }
}
