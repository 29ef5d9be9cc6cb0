namespace TrustRegion.Envs;

/// <summary>Helpers that look through wrappers.</summary>
public static class EnvExtensions
{
    /// <summary>
    /// Returns the outermost environment in the wrapper chain of <paramref name="env"/> (including itself) that is a
    /// <typeparamref name="T"/>, or null when there is none. Example: <c>env.Find&lt;IEnvState&gt;()</c>.
    /// </summary>
    public static T? Find<T>(this IEnv env)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(env);
        IEnv? current = env;
        while (current is not null)
        {
            if (current is T found)
            {
                return found;
            }
            current = (current as IEnvWrapper)?.Inner;
        }
        return null;
    }

    /// <summary>The innermost environment (Gymnasium's <c>unwrapped</c>).</summary>
    public static IEnv Unwrapped(this IEnv env)
    {
        ArgumentNullException.ThrowIfNull(env);
        while (env is IEnvWrapper w)
        {
            env = w.Inner;
        }
        return env;
    }

    /// <summary>Reads the typed extras of the last reset or step from the first environment in the chain that reports <typeparamref name="TInfo"/>.</summary>
    /// <returns>False when no environment in the chain reports that type.</returns>
    public static bool TryGetInfo<TInfo>(this IEnv env, out TInfo info)
        where TInfo : struct
    {
        IEnvInfo<TInfo>? source = env.Find<IEnvInfo<TInfo>>();
        info = source is null ? default : source.LastInfo;
        return source is not null;
    }
}
