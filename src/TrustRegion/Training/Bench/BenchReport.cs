using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TrustRegion.Training.Bench;

/// <summary>The report of a <c>trpo bench</c> run: the machine, the command, and one <see cref="BenchEnvResult"/> per environment.</summary>
/// <param name="Command">The exact command that produced it.</param>
/// <param name="Machine">The machine (its load average is the one at the start).</param>
/// <param name="LoadAverageAtEnd">The load averages when the last run ended (the machine may be shared).</param>
/// <param name="ParallelRuns">Runs that were allowed at once.</param>
/// <param name="Started">When the benchmark started (UTC).</param>
/// <param name="Environments">The results, in the order run.</param>
public sealed record BenchReport(string Command, BenchMachine Machine, string LoadAverageAtEnd, int ParallelRuns, DateTimeOffset Started, IReadOnlyList<BenchEnvResult> Environments)
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>The report as Markdown (bench.md).</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(FormattableString s) => md.Append(s.ToString(s_inv)).Append('\n');
        Line($"# trpo bench");
        Line($"");
        Line($"Command: `{Command}`");
        Line($"");
        Line($"Machine: {Machine.Cores} logical cores, {Machine.Cpu}; {Machine.Runtime}; {Machine.Os}. Started {Started:yyyy-MM-dd HH:mm} UTC; load average (1, 5, 15 min) {Machine.LoadAverage} at the start, {LoadAverageAtEnd} at the end; up to {ParallelRuns} run(s) at once.");
        Line($"");
        Line($"Learning: final deterministic evaluation (mean over the preset's `n_eval_episodes`), median [min, max] over seeds, beside the RL Zoo's sb3-contrib TRPO figure for the same budget. Speed: end-to-end environment steps per second of whole training runs (evaluations included; wall time, and the process CPU time, which a shared machine disturbs less), median over seeds, beside sb3-contrib's on the project's 2-vCPU machine (docs/bench.md).");
        Line($"");
        Line($"| env | steps | seeds | final eval, median [min, max] | RL Zoo | reached threshold | steps to threshold (median) | time to threshold (median) | wall s (median) | CPU s (median) | steps/s (median) | sb3-contrib steps/s | × sb3-contrib |");
        Line($"| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (BenchEnvResult e in Environments)
        {
            string zoo = e.Reference is { } r ? r.ZooReturn.ToString("F1", s_inv) : "–";
            string sb3 = e.Reference?.Sb3StepsPerSecond is double r2 ? r2.ToString("N0", s_inv) : "–";
            string ratio = e.Reference?.Sb3StepsPerSecond is double r3 ? (e.StepsPerSecondMedian / r3).ToString("F1", s_inv) + "×" : "–";
            string reached = e.Threshold is double t ? string.Create(s_inv, $"{e.SeedsReachingThreshold}/{e.Seeds.Count} (≥ {t:G})") : "no threshold";
            string steps = e.ThresholdStepsMedian is double ts ? ts.ToString("N0", s_inv) : "–";
            string secs = e.ThresholdSecondsMedian is double tt ? tt.ToString("F2", s_inv) + " s" : "–";
            Line($"| {e.EnvId} | {e.Seeds[0].TotalSteps:N0} | {e.Seeds.Count} | {e.EvalMedian:F1} [{e.EvalMin:F1}, {e.EvalMax:F1}] | {zoo} | {reached} | {steps} | {secs} | {e.WallMedian:F2} | {e.CpuMedian:F2} | {e.StepsPerSecondMedian:N0} | {sb3} | {ratio} |");
        }
        if (Environments.Any(e => e.HasSimulationTime))
        {
            Line($"");
            Line($"## Time in the simulator");
            Line($"");
            Line($"Wall time during which at least one copy of the environment was inside its simulator (MuJoCo's physics: `frame_skip` × `mj_step` and `mj_rnePostConstraint` per step, `mj_forward` per reset), over the same span as the wall time above (training with its periodic evaluations, not the final evaluation); medians over seeds. The last column counts the seeds whose time outside the simulator stayed under half their time in it (issue 5's speed target, a share of at least 67%). Measured only with one run at a time.");
            Line($"");
            Line($"| env | wall s | in the simulator s | share | outside the simulator s | outside < ½ in the simulator |");
            Line($"| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (BenchEnvResult e in Environments.Where(e => e.HasSimulationTime))
            {
                Line($"| {e.EnvId} | {e.WallMedian:F2} | {e.SimulationMedian:F2} | {100 * e.SimulationShareMedian:F1}% | {e.OutsideSimulationMedian:F2} | {e.SeedsOutsideUnderHalfSimulation}/{e.Seeds.Count} |");
            }
        }
        Line($"");
        Line($"## Where the time goes");
        Line($"");
        Line($"Share of the measured time of all seeds, by phase, and wall time per environment step (inference = policy and value forward passes while collecting; rollout other = buffer copies, clipping, episode bookkeeping; output = metrics, callback and checkpoints; bench runs write no files). On a machine with more than one core the policy update and the value fit run at the same time, so their shares are of the sum of the phases, which exceeds the wall time.");
        Line($"");
        Line($"| env | env stepping | inference | rollout other | GAE | policy update | value fit | evaluation | output | µs per env step |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (BenchEnvResult e in Environments)
        {
            IterationTimings t = e.TimingsTotal;
            double total = t.TotalSeconds;
            string P(double x) => total > 0 ? (100 * x / total).ToString("F1", s_inv) + "%" : "–";
            long steps = e.Seeds.Sum(s => s.TotalSteps);
            double wall = e.Seeds.Sum(s => s.WallSeconds);
            Line($"| {e.EnvId} | {P(t.EnvSeconds)} | {P(t.InferenceSeconds)} | {P(t.RolloutOtherSeconds)} | {P(t.GaeSeconds)} | {P(t.PolicyUpdateSeconds)} | {P(t.ValueFitSeconds)} | {P(t.EvaluationSeconds)} | {P(t.OutputSeconds)} | {1e6 * wall / steps:F2} |");
        }
        Line($"");
        Line($"## Runs");
        Line($"");
        Line($"Best eval: the best of the periodic evaluations (every `eval_freq` steps; the model `trpo train` keeps in best_model.ckpt), with the step it ran at.");
        Line($"");
        Line($"| env | seed | steps | wall s | CPU s | steps/s | final eval | best eval (at step) | threshold at step | params_sha256 |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |");
        foreach (BenchEnvResult e in Environments)
        {
            foreach (BenchSeedResult s in e.Seeds)
            {
                string at = s.ThresholdSteps is long ts ? ts.ToString("N0", s_inv) : "–";
                string best = s.BestEvaluationMean is double b ? string.Create(s_inv, $"{b:F1} ({s.BestEvaluationStep:N0})") : "–";
                Line($"| {e.EnvId} | {s.Seed} | {s.TotalSteps:N0} | {s.WallSeconds:F2} | {s.CpuSeconds:F2} | {s.StepsPerSecond:N0} | {s.FinalEvaluation.ReturnMean:F1} ± {s.FinalEvaluation.ReturnStd:F1} | {best} | {at} | `{s.ParamsSha256}` |");
            }
        }
        return md.ToString();
    }

    /// <summary>The report as JSON (bench.json): the same figures, unrounded.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("command", Command);
            json.WriteString("started_utc", Started.UtcDateTime.ToString("O", s_inv));
            json.WriteStartObject("machine");
            json.WriteNumber("cores", Machine.Cores);
            json.WriteString("cpu", Machine.Cpu);
            json.WriteString("runtime", Machine.Runtime);
            json.WriteString("os", Machine.Os);
            json.WriteString("load_average_start", Machine.LoadAverage);
            json.WriteString("load_average_end", LoadAverageAtEnd);
            json.WriteEndObject();
            json.WriteNumber("parallel_runs", ParallelRuns);
            json.WriteStartArray("environments");
            foreach (BenchEnvResult e in Environments)
            {
                json.WriteStartObject();
                json.WriteString("env_id", e.EnvId);
                json.WriteNumber("n_timesteps", e.Config.TotalTimesteps);
                if (e.Threshold is double t)
                {
                    json.WriteNumber("threshold", t);
                }
                json.WriteNumber("eval_median", e.EvalMedian);
                json.WriteNumber("eval_min", e.EvalMin);
                json.WriteNumber("eval_max", e.EvalMax);
                json.WriteNumber("seeds_reaching_threshold", e.SeedsReachingThreshold);
                WriteOptional(json, "threshold_steps_median", e.ThresholdStepsMedian);
                WriteOptional(json, "threshold_seconds_median", e.ThresholdSecondsMedian);
                json.WriteNumber("wall_seconds_median", e.WallMedian);
                json.WriteNumber("cpu_seconds_median", e.CpuMedian);
                json.WriteNumber("steps_per_second_median", e.StepsPerSecondMedian);
                if (e.Reference is { } r)
                {
                    json.WriteStartObject("reference");
                    json.WriteNumber("rl_zoo_return", r.ZooReturn);
                    WriteOptional(json, "sb3_contrib_steps_per_second", r.Sb3StepsPerSecond);
                    WriteOptional(json, "sb3_contrib_wall_seconds", r.Sb3WallSeconds);
                    json.WriteEndObject();
                }
                if (e.HasSimulationTime)
                {
                    json.WriteNumber("simulation_seconds_median", e.SimulationMedian!.Value);
                    json.WriteNumber("simulation_share_median", e.SimulationShareMedian!.Value);
                    json.WriteNumber("outside_simulation_seconds_median", e.OutsideSimulationMedian!.Value);
                    json.WriteNumber("seeds_outside_under_half_simulation", e.SeedsOutsideUnderHalfSimulation);
                }
                json.WritePropertyName("timings_seconds");
                WriteTimings(json, e.TimingsTotal);
                json.WriteStartArray("seeds");
                foreach (BenchSeedResult s in e.Seeds)
                {
                    json.WriteStartObject();
                    json.WriteNumber("seed", s.Seed);
                    json.WriteNumber("total_steps", s.TotalSteps);
                    json.WriteNumber("wall_seconds", s.WallSeconds);
                    json.WriteNumber("cpu_seconds", s.CpuSeconds);
                    json.WriteNumber("steps_per_second", s.StepsPerSecond);
                    json.WriteNumber("final_eval_mean", s.FinalEvaluation.ReturnMean);
                    json.WriteNumber("final_eval_std", s.FinalEvaluation.ReturnStd);
                    json.WriteNumber("final_eval_episodes", s.FinalEvaluation.Episodes);
                    WriteOptional(json, "best_eval_mean", s.BestEvaluationMean);
                    WriteOptional(json, "best_eval_step", s.BestEvaluationStep);
                    WriteOptional(json, "threshold_steps", s.ThresholdSteps);
                    WriteOptional(json, "threshold_seconds", s.ThresholdSeconds);
                    if (s.SimulationSeconds is double sim)
                    {
                        json.WriteNumber("simulation_seconds", sim);
                        json.WriteNumber("simulation_share", s.SimulationShare!.Value);
                    }
                    json.WritePropertyName("timings_seconds");
                    WriteTimings(json, s.Timings);
                    json.WriteString("params_sha256", s.ParamsSha256);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteTimings(Utf8JsonWriter json, IterationTimings t)
    {
        json.WriteStartObject();
        json.WriteNumber("env", t.EnvSeconds);
        json.WriteNumber("inference", t.InferenceSeconds);
        json.WriteNumber("rollout_other", t.RolloutOtherSeconds);
        json.WriteNumber("gae", t.GaeSeconds);
        json.WriteNumber("policy_update", t.PolicyUpdateSeconds);
        json.WriteNumber("value_fit", t.ValueFitSeconds);
        json.WriteNumber("evaluation", t.EvaluationSeconds);
        json.WriteNumber("output", t.OutputSeconds);
        json.WriteEndObject();
    }
}
