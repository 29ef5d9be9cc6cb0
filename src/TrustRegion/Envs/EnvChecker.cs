using TrustRegion.Envs.Wrappers;
using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>
/// A conformance check any environment (built-in or a user's) can be run through, in the spirit of Gymnasium's
/// <c>check_env</c>.
/// </summary>
/// <remarks>
/// Checked: the spaces are well formed (flat size equals the product of the shape, Box bounds ordered); every observation
/// from Reset and Step has the right length, is finite and lies in the observation space (float32 spaces: float32-exact
/// values), checked up to the first episode end; rewards are finite; resetting with the same seed gives the same observation,
/// and replaying the same seeded actions gives bit-identical observations, rewards and flags (determinism); a
/// <see cref="TimeLimit"/> in the wrapper chain truncates no later than its limit; a NaN action, an action of the wrong
/// length and (integer spaces) an out-of-range action are rejected with an <see cref="ArgumentException"/>.
/// The check resets the environment; leave it reset before using it again.
/// </remarks>
public static class EnvChecker
{
    /// <summary>Runs the check for <paramref name="steps"/> random steps (actions from <c>Rng(seed)</c>), twice.</summary>
    /// <param name="env">The environment; it is reset and stepped.</param>
    /// <param name="seed">Seeds the resets and the action draws.</param>
    /// <param name="steps">Steps per pass; episodes that end are reset.</param>
    /// <param name="name">Name used in the report; default the type name of the environment.</param>
    public static EnvCheckReport Check(IEnv env, ulong seed = 0, int steps = 300, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        name ??= env.Unwrapped().GetType().Name;
        var problems = new List<string>();
        Space? obsSpace = env.ObservationSpace, actSpace = env.ActionSpace;
        if (obsSpace is null || actSpace is null)
        {
            problems.Add("ObservationSpace or ActionSpace is null.");
            return new EnvCheckReport(name, problems, 0, 0);
        }
        CheckSpace("ObservationSpace", obsSpace, problems);
        CheckSpace("ActionSpace", actSpace, problems);
        if (problems.Count > 0)
        {
            return new EnvCheckReport(name, problems, 0, 0);
        }

        Trace first = Run(env, seed, steps, obsSpace, actSpace, problems);
        Trace second = Run(env, seed, steps, obsSpace, actSpace, null);
        CompareTraces(first, second, problems);
        CheckRejections(env, seed, actSpace, problems);
        return new EnvCheckReport(name, problems, first.Rewards.Count, first.EpisodesEnded);
    }

    private sealed class Trace
    {
        public List<long> ObservationBits { get; } = [];
        public List<long> Rewards { get; } = [];
        public List<(bool Terminated, bool Truncated)> Flags { get; } = [];
        public int EpisodesEnded { get; set; }
    }

    private static void CheckSpace(string what, Space space, List<string> problems)
    {
        long product = 1;
        foreach (int d in space.Shape)
        {
            product *= d;
        }
        if (space.FlatSize <= 0 || product != space.FlatSize)
        {
            problems.Add($"{what} {space}: FlatSize {space.FlatSize} differs from the product of its shape ({product}) or is not positive.");
        }
        if (space is Box box)
        {
            for (int i = 0; i < box.FlatSize; i++)
            {
                if (!(box.Low[i] <= box.High[i]))
                {
                    problems.Add($"{what} {space}: bound {i} has low {box.Low[i]} > high {box.High[i]}.");
                }
            }
        }
    }

    private static Trace Run(IEnv env, ulong seed, int steps, Space obsSpace, Space actSpace, List<string>? problems)
    {
        var trace = new Trace();
        var rng = new Rng(seed);
        var obs = new double[obsSpace.FlatSize];
        var action = new double[actSpace.FlatSize];
        TimeLimit? limit = env.Find<TimeLimit>();

        env.Reset(seed, obs);
        Record(trace, obs);
        bool inEpisode = true;
        CheckObservation("Reset", obs, obsSpace, problems);
        if (problems is not null)
        {
            var again = new double[obs.Length];
            env.Reset(seed, again);
            if (!BitsEqual(obs, again))
            {
                problems.Add($"Reset with seed {seed} twice gave different observations: {EnvGuard.Format(obs)} and {EnvGuard.Format(again)}.");
            }
        }
        int length = 0;
        for (int t = 0; t < steps; t++)
        {
            actSpace.Sample(rng, action);
            StepResult r = env.Step(action, obs);
            length++;
            Record(trace, obs);
            trace.Rewards.Add(BitConverter.DoubleToInt64Bits(r.Reward));
            trace.Flags.Add((r.Terminated, r.Truncated));
            if (problems is not null)
            {
                if (inEpisode)
                {
                    CheckObservation($"Step {t + 1}", obs, obsSpace, problems);
                }
                if (!double.IsFinite(r.Reward))
                {
                    problems.Add($"Step {t + 1}: reward {r.Reward} is not finite.");
                }
                if (limit is not null && length >= limit.MaxEpisodeSteps && !r.Truncated)
                {
                    problems.Add($"Step {t + 1}: episode length {length} reached the time limit {limit.MaxEpisodeSteps} but Truncated is false.");
                }
            }
            if (r.Terminated || r.Truncated)
            {
                trace.EpisodesEnded++;
                env.Reset(null, obs);
                Record(trace, obs);
                CheckObservation($"Reset after step {t + 1}", obs, obsSpace, problems);
                length = 0;
            }
            if (problems is not null && problems.Count > 20)
            {
                problems.Add("Stopped after 20 problems.");
                break;
            }
        }
        return trace;
    }

    private static void CheckObservation(string when, double[] obs, Space space, List<string>? problems)
    {
        if (problems is null)
        {
            return;
        }
        for (int i = 0; i < obs.Length; i++)
        {
            if (!double.IsFinite(obs[i]))
            {
                problems.Add($"{when}: observation element {i} is {obs[i]} (not finite).");
                return;
            }
        }
        if (!space.Contains(obs))
        {
            problems.Add($"{when}: observation {EnvGuard.Format(obs)} is not in the observation space {space}.");
        }
    }

    private static void CompareTraces(Trace a, Trace b, List<string> problems)
    {
        int n = Math.Min(a.ObservationBits.Count, b.ObservationBits.Count);
        for (int i = 0; i < n; i++)
        {
            if (a.ObservationBits[i] != b.ObservationBits[i])
            {
                problems.Add($"Not deterministic: replaying the same seed and actions gave a different observation value at position {i} of the trace.");
                return;
            }
        }
        for (int i = 0; i < Math.Min(a.Rewards.Count, b.Rewards.Count); i++)
        {
            if (a.Rewards[i] != b.Rewards[i] || a.Flags[i] != b.Flags[i])
            {
                problems.Add($"Not deterministic: replaying the same seed and actions gave a different reward or flags at step {i + 1}.");
                return;
            }
        }
        if (a.ObservationBits.Count != b.ObservationBits.Count || a.Rewards.Count != b.Rewards.Count)
        {
            problems.Add("Not deterministic: replaying the same seed and actions gave traces of different lengths.");
        }
    }

    private static void CheckRejections(IEnv env, ulong seed, Space actSpace, List<string> problems)
    {
        var obs = new double[env.ObservationSpace.FlatSize];
        var bad = new double[actSpace.FlatSize];
        bad[0] = double.NaN;
        Expect(env, seed, obs, bad, "a NaN action", problems);
        Expect(env, seed, obs, new double[actSpace.FlatSize + 1], $"an action of length {actSpace.FlatSize + 1}", problems);
        if (actSpace is Discrete d)
        {
            Expect(env, seed, obs, [d.Start + d.N], $"the out-of-range action {d.Start + d.N}", problems);
        }
        env.Reset(seed, obs);
    }

    private static void Expect(IEnv env, ulong seed, double[] obs, double[] action, string what, List<string> problems)
    {
        env.Reset(seed, obs);
        try
        {
            env.Step(action, obs);
            problems.Add($"Step accepted {what} ({EnvGuard.Format(action)}); it should throw an ArgumentException naming the action and the space.");
        }
        catch (ArgumentException)
        {
            // expected
        }
    }

    private static void Record(Trace trace, double[] obs)
    {
        foreach (double v in obs)
        {
            trace.ObservationBits.Add(BitConverter.DoubleToInt64Bits(v));
        }
    }

    private static bool BitsEqual(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(a[i]) != BitConverter.DoubleToInt64Bits(b[i]))
            {
                return false;
            }
        }
        return true;
    }
}
