namespace TrustRegion.Training.Bench;

/// <summary>
/// Published and measured reference figures for one preset (docs/bench.md cites their sources): the RL Zoo's deterministic
/// evaluation for sb3-contrib TRPO at the preset's budget, and, for the classic-control presets, sb3-contrib's end-to-end speed
/// on the project's machine (2-vCPU AMD EPYC Zen 5; Stable-Baselines3 2.4.0, sb3-contrib 2.4.0, PyTorch 1.13 on OpenBLAS, one
/// thread, one run at a time).
/// </summary>
/// <param name="EnvId">The environment id.</param>
/// <param name="ZooReturn">RL Zoo benchmark return of sb3-contrib TRPO at the preset budget (for the MuJoCo tasks, measured
/// by the Zoo on their v3 versions).</param>
/// <param name="Sb3StepsPerSecond">sb3-contrib's end-to-end environment steps per second (median of seeds 0–2); null where it
/// could not be measured on the project's machine (the MuJoCo tasks: Gymnasium's MuJoCo bindings cannot be installed there).</param>
/// <param name="Sb3WallSeconds">sb3-contrib's wall time for the whole preset budget (median of seeds 0–2); null where not measured.</param>
/// <param name="Threshold">The return counted as reaching the task when the environment has no reward threshold of its own:
/// the issues' learning target (Pendulum-v1 −200, Walker2d-v4 3000).</param>
public sealed record BenchReference(string EnvId, double ZooReturn, double? Sb3StepsPerSecond, double? Sb3WallSeconds, double Threshold)
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

    /// <summary>
    /// The MuJoCo presets the RL Zoo publishes a TRPO figure for (1M steps), with issue 5's learning targets as thresholds; the
    /// environments' own reward thresholds take precedence where they have one.
    /// </summary>
    public static IReadOnlyList<BenchReference> MuJoCo { get; } =
    [
        new("Hopper-v4", 3618.4, null, null, 3000),
        new("Walker2d-v4", 4933.1, null, null, 3000),
        new("HalfCheetah-v4", 1785.5, null, null, 1500),
        new("Ant-v4", 4982.3, null, null, 2500),
        new("Swimmer-v4", 365.7, null, null, 300),
    ];

    /// <summary>The reference for <paramref name="envId"/>, or null when none is recorded.</summary>
    public static BenchReference? Find(string envId) =>
        ClassicControl.FirstOrDefault(r => r.EnvId == envId) ?? MuJoCo.FirstOrDefault(r => r.EnvId == envId);
}
