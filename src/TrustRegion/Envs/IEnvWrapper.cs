namespace TrustRegion.Envs;

/// <summary>An environment that wraps another one (Gymnasium's <c>Wrapper</c>); lets callers reach the inner environments.</summary>
public interface IEnvWrapper : IEnv
{
    /// <summary>The wrapped environment.</summary>
    IEnv Inner { get; }
}
