using System.Diagnostics;
using TrustRegion.Training;
using Xunit.Abstractions;

namespace TrustRegion.Tests.Training;

public sealed class TrainerOverlapTests(ITestOutputHelper output)
{
    /// <summary>
    /// The policy step and the value fit overlapped on two threads give bit for bit the parameters, metrics and timings' phases
    /// of running them in sequence (gSDE and normalisation included), and the per-phase timings are filled in.
    /// </summary>
    [Theory]
    [InlineData("CartPole-v1", 8192)]
    [InlineData("MountainCarContinuous-v0", 8192)]
    public void OverlappedLearners_EqualSequentialLearners(string id, long steps)
    {
        (string Hash, List<double> Kl, List<double> Loss, IterationTimings Time, double Wall) Run(bool overlap)
        {
            TrpoConfig config = ConfigResolver.Resolve(id) with { Seed = 11, VecEnv = VecEnvMode.Sequential, TotalTimesteps = steps };
            using var trainer = new Trainer(config) { OverlapLearners = overlap };
            var kl = new List<double>();
            var loss = new List<double>();
            var clock = Stopwatch.StartNew();
            trainer.Train(steps, new TrainerOutputs { Callback = r => { kl.Add(r.Policy.Kl); loss.Add(r.ValueLoss); return true; } });
            return (trainer.ParameterHash(), kl, loss, trainer.SessionTimings, clock.Elapsed.TotalSeconds);
        }
        var sequential = Run(overlap: false);
        var overlapped = Run(overlap: true);
        Assert.Equal(sequential.Hash, overlapped.Hash);
        Assert.Equal(sequential.Kl, overlapped.Kl);
        Assert.Equal(sequential.Loss, overlapped.Loss);
        foreach (IterationTimings t in new[] { sequential.Time, overlapped.Time })
        {
            Assert.True(t.EnvSeconds > 0 && t.InferenceSeconds > 0 && t.PolicyUpdateSeconds > 0 && t.ValueFitSeconds > 0, t.ToString());
        }
        output.WriteLine($"{id}: sequential {sequential.Wall:F3} s ({sequential.Time}); overlapped {overlapped.Wall:F3} s ({overlapped.Time})");
    }
}
