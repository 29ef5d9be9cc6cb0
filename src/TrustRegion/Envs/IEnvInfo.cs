namespace TrustRegion.Envs;

/// <summary>
/// The typed channel for extras (Gymnasium's <c>info</c> dictionary): an environment that reports more than
/// observation, reward and flags implements this with its own <typeparamref name="TInfo"/> struct.
/// </summary>
/// <typeparam name="TInfo">A value type holding the extras of one reset or step, e.g. reward components.</typeparam>
/// <remarks>
/// Read <see cref="LastInfo"/> right after <see cref="IEnv.Reset"/> or <see cref="IEnv.Step"/>; it describes that call.
/// Through wrappers, use <see cref="EnvExtensions.TryGetInfo{TInfo}(IEnv, out TInfo)"/>. Being a struct property,
/// reading it allocates nothing.
/// </remarks>
public interface IEnvInfo<TInfo>
    where TInfo : struct
{
    /// <summary>Extras of the most recent reset or step.</summary>
    TInfo LastInfo { get; }
}
