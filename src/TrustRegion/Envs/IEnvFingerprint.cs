namespace TrustRegion.Envs;

/// <summary>
/// An environment whose behaviour is defined by data beyond its id and constructor arguments (a model file, for instance)
/// reports a fingerprint of that data. A training checkpoint records it, so that loading the checkpoint can tell when the
/// environment rebuilt from the same configuration is no longer the one the policy was trained on
/// (<c>Trainer.EnvironmentChangedSinceCheckpoint</c>).
/// </summary>
public interface IEnvFingerprint
{
    /// <summary>A short text that changes whenever the defining data changes, e.g. <c>mjcf-sha256:…</c>.</summary>
    string Fingerprint { get; }
}
