namespace TrustRegion.Training.Bench;

/// <summary>
/// Published and measured reference figures for one preset (docs/bench.md cites their sources): the RL Zoo's deterministic
/// evaluation for sb3-contrib TRPO at the preset's budget, and sb3-contrib's end-to-end speed on the project's machine
/// (2-vCPU AMD EPYC Zen 5; Stable-Baselines3 2.4.0, sb3-contrib 2.4.0, PyTorch 1.13 on OpenBLAS, one thread, one run at a time).
/// </summary>
/// <param name="EnvId">The environment id.</param>
/// <param name="ZooReturn">RL Zoo benchmark return of sb3-contrib TRPO at the preset budget.</param>
/// <param name="Sb3StepsPerSecond">sb3-contrib's end-to-end environment steps per second (median of seeds 0–2).</param>
/// <param name="Sb3WallSeconds">sb3-contrib's wall time for the whole preset budget (median of seeds 0–2).</param>
/// <param name="Threshold">The return counted as reaching the task: the environment's reward threshold, or for Pendulum-v1
/// (which has none) −200, the learning target.</param>
public sealed record BenchReference(string EnvId, double ZooReturn, double Sb3StepsPerSecond, double Sb3WallSeconds, double Threshold)
{
    /// <summary>The five classic-control presets, in the order <c>trpo bench</c> runs them by default.</summary>
    public static IReadOnlyList<BenchReference> ClassicControl { get; } =
    [
        new("CartPole-v1", 500.0, 6_400, 15.7, 475),
        new("Acrobot-v1", -83.1, 3_600, 27.6, -100),
        new("MountainCar-v0", -107.3, 4_300, 23.3, -110),
        new("MountainCarContinuous-v0", 92.5, 4_100, 12.9, 90),
        new("Pendulum-v1", -174.6, 4_600, 21.9, -200),
    ];

    /// <summary>The reference for <paramref name="envId"/>, or null when none is recorded.</summary>
    public static BenchReference? Find(string envId) => ClassicControl.FirstOrDefault(r => r.EnvId == envId);
}
