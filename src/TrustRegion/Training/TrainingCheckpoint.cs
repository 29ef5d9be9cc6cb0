using System.Globalization;
using System.Text.RegularExpressions;
using TrustRegion.Envs;
using TrustRegion.Envs.Wrappers;
using TrustRegion.Networks;

namespace TrustRegion.Training;

/// <summary>
/// The sections of a training checkpoint (names listed in docs/checkpoints.md) and how a <see cref="Trainer"/> is written to
/// and rebuilt from them.
/// </summary>
internal static partial class TrainingCheckpoint
{
    internal const string Kind = "kind";
    internal const string KindValue = "trustregion/trpo-trainer";
    internal const string Config = "config";
    internal const string EnvId = "env/id";
    internal const string ObservationSpace = "env/observation_space";
    internal const string ActionSpace = "env/action_space";
    internal const string EnvSnapshot = "env/snapshot";
    internal const string EnvFingerprint = "env/fingerprint";
    internal const string PolicyShape = "policy/shape";
    internal const string PolicyParameters = "policy/parameters";
    internal const string PolicyNoise = "policy/sde_noise";
    internal const string ValueShape = "value/shape";
    internal const string ValueParameters = "value/parameters";
    internal const string AdamFirstMoment = "value/adam/m";
    internal const string AdamSecondMoment = "value/adam/v";
    internal const string AdamSteps = "value/adam/steps";
    internal const string NormObsMean = "normalize/obs_mean";
    internal const string NormObsVariance = "normalize/obs_var";
    internal const string NormObsCount = "normalize/obs_count";
    internal const string NormReturnMean = "normalize/ret_mean";
    internal const string NormReturnVariance = "normalize/ret_var";
    internal const string NormReturnCount = "normalize/ret_count";
    internal const string RngSampling = "rng/sampling";
    internal const string RngMinibatch = "rng/minibatch";
    internal const string Steps = "counters/total_steps";
    internal const string Iterations = "counters/iterations";
    internal const string Episodes = "counters/episodes";
    internal const string EpisodeLog = "trainer/episode_log";
    internal const string Observations = "trainer/observations";
    internal const string BestEval = "trainer/best_eval_mean";
    internal const string Elapsed = "trainer/elapsed_seconds";

    internal static CheckpointWriter Write(Trainer t)
    {
        var w = new CheckpointWriter()
            .AddText(Kind, KindValue)
            .AddText(Config, ConfigResolver.ToYaml(t.Config))
            .AddText(EnvId, t.Config.EnvId)
            .AddText(ObservationSpace, t.Environments.ObservationSpace.ToString()!)
            .AddText(ActionSpace, t.Environments.ActionSpace.ToString()!)
            .AddText(PolicyShape, t.Policy.Shape.ToString())
            .AddDoubles(PolicyParameters, t.Policy.Parameters)
            .AddText(ValueShape, t.Value.Shape.ToString()!)
            .AddDoubles(ValueParameters, t.Value.Parameters)
            .AddDoubles(AdamFirstMoment, t.Value.Optimizer.FirstMoment)
            .AddDoubles(AdamSecondMoment, t.Value.Optimizer.SecondMoment)
            .AddInt64(AdamSteps, t.Value.Optimizer.StepCount)
            .AddRngState(RngSampling, t.Sampling.GetState())
            .AddRngState(RngMinibatch, t.Minibatch.GetState())
            .AddInt64(Steps, t.TotalSteps)
            .AddInt64(Iterations, t.Iterations)
            .AddInt64(Episodes, t.Episodes.Total)
            .AddDoubles(EpisodeLog, t.Episodes.Export())
            .AddDoubles(Observations, t.CurrentObservations)
            .AddDouble(BestEval, t.BestEvaluationMean)
            .AddDouble(Elapsed, t.ElapsedBefore);
        if (t.Policy.NoiseEnvCount > 0)
        {
            w.AddDoubles(PolicyNoise, t.Policy.Noise);
        }
        if (t.EnvironmentFingerprint is { } fingerprint)
        {
            w.AddText(EnvFingerprint, fingerprint);
        }
        if (t.Normalizer is { } norm)
        {
            NormalizationState s = norm.ExportState();
            w.AddDoubles(NormObsMean, s.ObservationMean)
                .AddDoubles(NormObsVariance, s.ObservationVariance)
                .AddDouble(NormObsCount, s.ObservationCount)
                .AddDouble(NormReturnMean, s.ReturnMean)
                .AddDouble(NormReturnVariance, s.ReturnVariance)
                .AddDouble(NormReturnCount, s.ReturnCount);
        }
        if (t.OutermostEnv is ISnapshotable snapshotable)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                snapshotable.SaveSnapshot(writer);
            }
            w.AddBytes(EnvSnapshot, stream.ToArray());
        }
        return w;
    }

    internal static Trainer Restore(Checkpoint c, Func<TrpoConfig, Trainer> create, long? totalTimesteps)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (!c.Contains(Kind) || c.GetText(Kind) != KindValue)
        {
            throw new CheckpointException(c.Source, CheckpointProblem.Incompatible,
                $"the checkpoint is not a TRPO trainer checkpoint (its '{Kind}' section is missing or differs from '{KindValue}'). Pass a model or checkpoint written by trpo train or TrpoAgent.Save.");
        }
        TrpoConfig config;
        try
        {
            string yaml = c.GetText(Config);
            config = ConfigResolver.FromYaml(yaml, $"{c.Source} (config section)");
            if (!PrecisionKey().IsMatch(yaml))
            {
                // Written before the precision key existed, when every network computed in double: resume exactly that.
                config = config with { Precision = NetworkPrecision.Double };
            }
            if (!KlPerActionDimKey().IsMatch(yaml))
            {
                // Written before kl_per_action_dim existed, when the KL was always that of the whole action: resume exactly that.
                config = config with { KlPerActionDim = false };
            }
        }
        catch (ConfigException e)
        {
            throw new CheckpointException(c.Source, CheckpointProblem.Incompatible, $"its configuration is not valid for this version: {e.Message}", e);
        }
        if (totalTimesteps is long total)
        {
            config = config with { TotalTimesteps = total };
        }
        Trainer t = create(config);
        try
        {
            Check(c, EnvId, config.EnvId, "environment id");
            Check(c, ObservationSpace, t.Environments.ObservationSpace.ToString()!, "observation space");
            Check(c, ActionSpace, t.Environments.ActionSpace.ToString()!, "action space");
            Check(c, PolicyShape, t.Policy.Shape.ToString(), "policy network");
            Check(c, ValueShape, t.Value.Shape.ToString()!, "value network");
            c.ReadDoubles(PolicyParameters, t.Policy.Parameters);
            c.ReadDoubles(ValueParameters, t.Value.Parameters);
            if (c.Contains(PolicyNoise))
            {
                if (!t.Policy.UsesSde)
                {
                    throw new CheckpointException(c.Source, CheckpointProblem.Incompatible,
                        $"the checkpoint holds gSDE noise ('{PolicyNoise}') but its configuration does not use gSDE; the file is inconsistent.");
                }
                try
                {
                    t.Policy.RestoreNoise(c.GetDoubles(PolicyNoise));
                }
                catch (ArgumentException e)
                {
                    throw new CheckpointException(c.Source, CheckpointProblem.Incompatible, $"section '{PolicyNoise}' does not fit the policy: {e.Message}", e);
                }
            }
            c.ReadDoubles(AdamFirstMoment, t.Value.Optimizer.FirstMoment);
            c.ReadDoubles(AdamSecondMoment, t.Value.Optimizer.SecondMoment);
            t.Value.Optimizer.StepCount = NonNegative(c, AdamSteps);
            t.Sampling.SetState(c.GetRngState(RngSampling));
            t.Minibatch.SetState(c.GetRngState(RngMinibatch));
            t.TotalSteps = NonNegative(c, Steps);
            t.Iterations = NonNegative(c, Iterations);
            try
            {
                t.Episodes.Import(c.GetDoubles(EpisodeLog), NonNegative(c, Episodes));
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointException(c.Source, CheckpointProblem.Incompatible, $"section '{EpisodeLog}' is invalid: {e.Message}", e);
            }
            t.BestEvaluationMean = c.GetDouble(BestEval);
            t.CheckpointEnvironmentFingerprint = c.Contains(EnvFingerprint) ? c.GetText(EnvFingerprint) : null;
            t.ElapsedBefore = c.GetDouble(Elapsed);

            bool restoredEnv = false;
            if (c.Contains(EnvSnapshot) && t.OutermostEnv is ISnapshotable snapshotable)
            {
                using var reader = new BinaryReader(new MemoryStream(c.GetBytes(EnvSnapshot)));
                try
                {
                    snapshotable.LoadSnapshot(reader);
                }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
                {
                    throw new CheckpointException(c.Source, CheckpointProblem.Incompatible, $"the environment snapshot does not fit '{config.EnvId}': {e.Message}", e);
                }
                restoredEnv = true;
            }
            else
            {
                // No exact environment state (an environment without ISnapshotable): start fresh episodes from seeds derived
                // from the run seed and the iteration. Training continues correctly but not bit for bit.
                t.ResetEnvironments((ulong)t.Iterations);
            }
            if (t.Normalizer is { } norm)
            {
                if (!restoredEnv)
                {
                    norm.ImportState(new NormalizationState(
                        ReadExact(c, NormObsMean, norm.ObservationStatistics.Size), ReadExact(c, NormObsVariance, norm.ObservationStatistics.Size),
                        c.GetDouble(NormObsCount), c.GetDouble(NormReturnMean), c.GetDouble(NormReturnVariance), c.GetDouble(NormReturnCount)));
                }
            }
            else if (c.Contains(NormObsMean))
            {
                throw new CheckpointException(c.Source, CheckpointProblem.Incompatible,
                    "the checkpoint holds normalisation statistics but its configuration normalises nothing; the file is inconsistent.");
            }
            if (restoredEnv)
            {
                c.ReadDoubles(Observations, t.CurrentObservations);
            }
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    private static double[] ReadExact(Checkpoint c, string name, int size)
    {
        var values = new double[size];
        c.ReadDoubles(name, values);
        return values;
    }

    private static long NonNegative(Checkpoint c, string name)
    {
        long v = c.GetInt64(name);
        if (v < 0)
        {
            throw new CheckpointException(c.Source, CheckpointProblem.Incompatible, string.Create(CultureInfo.InvariantCulture, $"section '{name}' is {v}; it must be ≥ 0."));
        }
        return v;
    }

    private static void Check(Checkpoint c, string name, string expected, string what)
    {
        string found = c.GetText(name);
        if (found != expected)
        {
            throw new CheckpointException(c.Source, CheckpointProblem.Incompatible,
                $"its {what} is '{found}' but the configuration and environment give '{expected}'; load it with the environment and network it was trained with.");
        }
    }

    /// <summary>A top-level <c>precision:</c> key in a checkpoint's config section.</summary>
    [GeneratedRegex(@"^precision\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PrecisionKey();

    /// <summary>A top-level <c>kl_per_action_dim:</c> key in a checkpoint's config section.</summary>
    [GeneratedRegex(@"^kl_per_action_dim\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex KlPerActionDimKey();
}
