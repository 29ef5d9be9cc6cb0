namespace TrustRegion.MuJoCo.Envs;

/// <summary>A simulation that went unstable during one environment step, as reported by MuJoCo.</summary>
/// <param name="EnvId">The environment id, e.g. <c>Hopper-v4</c>.</param>
/// <param name="EpisodeStep">The 1-based step of the episode in which it happened.</param>
/// <param name="Warning">MuJoCo's warning kind, or null when the state turned non-finite without one.</param>
/// <param name="WarningText">MuJoCo's own warning text (e.g. "Nan, Inf or huge value in QACC at DOF 0. The simulation is unstable. Time = 0.1360."), or a description of the non-finite state.</param>
public sealed record MuJoCoDivergence(string EnvId, long EpisodeStep, MjWarning? Warning, string WarningText)
{
    /// <summary>One line for logs: environment, step, warning and MuJoCo's text.</summary>
    public override string ToString() =>
        $"{EnvId}: simulation unstable at episode step {EpisodeStep} ({(Warning is { } w ? "MuJoCo warning " + w : "non-finite state")}): {WarningText} The episode was ended as terminated.";
}
