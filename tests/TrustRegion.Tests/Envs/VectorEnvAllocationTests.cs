using TrustRegion.Envs;
using TrustRegion.Envs.ClassicControl;
using TrustRegion.Numerics;

namespace TrustRegion.Tests.Envs;

/// <summary>
/// Allocation checks read the process-wide counter (worker threads allocate on their own threads), so they run in a
/// collection that xunit never runs beside other tests.
/// </summary>
[Collection(ProcessWideMeasurementCollection.Name)]
public class VectorEnvAllocationTests
{
    [Theory]
    [InlineData(VectorMode.Sequential)]
    [InlineData(VectorMode.Parallel)]
    public void Step_AllocatesNothingAfterWarmUp(VectorMode mode)
    {
        foreach (string id in new[] { CartPoleEnv.Id, AcrobotEnv.Id, MountainCarEnv.Id, MountainCarContinuousEnv.Id, PendulumEnv.Id })
        {
            using var venv = VectorEnv.Make(id, 4, new VectorEnvOptions { Mode = mode, Threads = 2 });
            var buf = new VectorStepBuffers(4, venv.ObservationSpace.FlatSize);
            venv.Reset(0, new double[4 * venv.ObservationSpace.FlatSize]);
            var actions = new double[4];
            for (int t = 0; t < 300; t++)
            {
                venv.Step(actions, buf);
            }
            // Total over all threads (worker threads included): background tiered-JIT work can allocate during a window, so the
            // smallest charge over several windows must be zero (AllocationWindows; five windows were once not enough on a heavily
            // loaded machine: 168 bytes in all five, parallel mode).
            bool continuous = id.StartsWith("Pendulum", StringComparison.Ordinal) || id.Contains("Continuous", StringComparison.Ordinal);
            long best = AllocationWindows.Smallest(() => GC.GetTotalAllocatedBytes(precise: true), () =>
            {
                for (int t = 0; t < 1000; t++)
                {
                    actions[t % 4] = continuous ? 0.5 : t % 2;
                    venv.Step(actions, buf);
                }
            });
            Assert.True(best == 0, $"{id} ({mode}): {best} bytes allocated over 1000 steps.");
        }
    }
}
