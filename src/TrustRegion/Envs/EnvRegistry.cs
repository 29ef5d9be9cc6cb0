using TrustRegion.Envs.ClassicControl;
using TrustRegion.Envs.Wrappers;

namespace TrustRegion.Envs;

/// <summary>
/// Maps environment ids to their <see cref="EnvSpec"/> (Gymnasium's registry). <see cref="Default"/> holds the built-in
/// tasks; other assemblies (such as TrustRegion.MuJoCo) and users register their own ids into it.
/// </summary>
/// <remarks>Thread-safe. Ids are case-sensitive; an unknown id is rejected with a list of the closest registered ids.</remarks>
public sealed class EnvRegistry
{
    private readonly Dictionary<string, EnvSpec> _specs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    // Both mountain cars take Gymnasium's goal_velocity.
    private static readonly EnvParameter s_goalVelocity = new("goal_velocity", EnvParameterType.Real, "0", "the episode ends at the goal position only at this velocity or more");

    /// <summary>The process-wide registry, holding the five classic-control tasks from the start.</summary>
    public static EnvRegistry Default { get; } = CreateWithBuiltIns();

    /// <summary>Creates an empty registry.</summary>
    public EnvRegistry()
    {
    }

    /// <summary>Creates a registry holding the built-in classic-control tasks, with Gymnasium 1.0.0's time limits and reward thresholds.</summary>
    public static EnvRegistry CreateWithBuiltIns()
    {
        var r = new EnvRegistry();
        r.Register(new EnvSpec(CartPoleEnv.Id, () => new CartPoleEnv(), 500, 475.0,
            "Balance a pole on a cart by pushing it left or right; +1 per step.")
        {
            Parameters = [new("sutton_barto_reward", EnvParameterType.Boolean, "false", "0 per step and -1 at and after the fall, instead of +1 per step")],
            ArgumentFactory = a => new CartPoleEnv(suttonBartoReward: a.Boolean("sutton_barto_reward")),
        });
        r.Register(new EnvSpec(AcrobotEnv.Id, () => new AcrobotEnv(), 500, -100.0,
            "Swing the tip of a two-link pendulum above a bar with torque on the middle joint; -1 per step."));
        r.Register(new EnvSpec(MountainCarEnv.Id, () => new MountainCarEnv(), 200, -110.0,
            "Drive an under-powered car up a hill by rocking it (three discrete pushes); -1 per step.")
        {
            Parameters = [s_goalVelocity],
            ArgumentFactory = a => new MountainCarEnv(goalVelocity: a.Real("goal_velocity")),
        });
        r.Register(new EnvSpec(MountainCarContinuousEnv.Id, () => new MountainCarContinuousEnv(), 999, 90.0,
            "Mountain car with a continuous force; +100 at the goal minus 0.1 times the squared action.")
        {
            Parameters = [s_goalVelocity],
            ArgumentFactory = a => new MountainCarContinuousEnv(goalVelocity: a.Real("goal_velocity")),
        });
        r.Register(new EnvSpec(PendulumEnv.Id, () => new PendulumEnv(), 200, null,
            "Swing a pendulum up and hold it upright with a limited continuous torque.")
        {
            Parameters = [new("g", EnvParameterType.Real, "10", "gravitational acceleration")],
            ArgumentFactory = a => new PendulumEnv(g: a.Real("g")),
        });
        return r;
    }

    /// <summary>Adds <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">The id is empty, holds whitespace, or is already registered; or the time limit is not positive.</exception>
    public void Register(EnvSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.Factory);
        if (string.IsNullOrEmpty(spec.Id) || spec.Id.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"Environment id '{spec.Id}' is invalid: it must be non-empty and contain no whitespace.", nameof(spec));
        }
        if ((spec.Parameters.Count > 0) != (spec.ArgumentFactory is not null))
        {
            throw new ArgumentException($"Environment '{spec.Id}': Parameters and ArgumentFactory must be set together.", nameof(spec));
        }
        if (spec.MaxEpisodeSteps is <= 0)
        {
            throw new ArgumentException($"Environment '{spec.Id}': MaxEpisodeSteps is {spec.MaxEpisodeSteps}; it must be positive or null (no limit).", nameof(spec));
        }
        lock (_lock)
        {
            if (!_specs.TryAdd(spec.Id, spec))
            {
                throw new ArgumentException($"Environment id '{spec.Id}' is already registered; choose another id or version suffix.", nameof(spec));
            }
        }
    }

    /// <summary>True when <paramref name="id"/> is registered.</summary>
    public bool Contains(string id)
    {
        lock (_lock)
        {
            return _specs.ContainsKey(id);
        }
    }

    /// <summary>The spec registered under <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">The id is unknown; the message lists the closest registered ids.</exception>
    public EnvSpec GetSpec(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (_specs.TryGetValue(id, out EnvSpec? spec))
            {
                return spec;
            }
            throw new ArgumentException(UnknownIdMessage(id, _specs.Keys), nameof(id));
        }
    }

    /// <summary>Every registered spec, ordered by id.</summary>
    public IReadOnlyList<EnvSpec> List()
    {
        lock (_lock)
        {
            return [.. _specs.Values.OrderBy(s => s.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Builds a new instance of <paramref name="id"/> as Gymnasium's <c>gym.make</c> does: the environment (built with
    /// <paramref name="kwargs"/> when given) wrapped in <see cref="OrderEnforcing"/> (Step before Reset throws; actions are
    /// checked), then in <see cref="TimeLimit"/> with the spec's limit or <paramref name="maxEpisodeSteps"/> when given.
    /// </summary>
    /// <exception cref="ArgumentException">The id is unknown (the message lists close matches), or an argument is not one the
    /// environment accepts or has a malformed value (see <see cref="BindArguments"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEpisodeSteps"/> is not positive.</exception>
    public IEnv Make(string id, int? maxEpisodeSteps = null, EnvKwargs? kwargs = null)
    {
        EnvSpec spec = GetSpec(id);
        if (maxEpisodeSteps is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, nameof(maxEpisodeSteps));
        }
        IEnv env;
        if (kwargs is null || kwargs.IsEmpty)
        {
            env = spec.Factory() ?? throw new InvalidOperationException($"The factory of '{id}' returned null.");
        }
        else
        {
            EnvArguments arguments = BindArguments(id, kwargs);
            env = spec.ArgumentFactory!(arguments) ?? throw new InvalidOperationException($"The argument factory of '{id}' returned null.");
        }
        env = new OrderEnforcing(env, id);
        int? limit = maxEpisodeSteps ?? spec.MaxEpisodeSteps;
        return limit is { } steps ? new TimeLimit(env, steps) : env;
    }

    /// <summary>
    /// Reads <paramref name="kwargs"/> against the parameters of <paramref name="id"/> (<see cref="EnvSpec.Parameters"/>)
    /// without building anything: use it to check a configuration before a run.
    /// </summary>
    /// <exception cref="ArgumentException">The id is unknown; or an argument is not a parameter of the environment (the
    /// message suggests close names and lists what it accepts, or says that it takes none), or its value is malformed.</exception>
    public EnvArguments BindArguments(string id, EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        EnvSpec spec = GetSpec(id);
        return EnvArguments.Bind(id, spec.Parameters, kwargs);
    }

    private static string UnknownIdMessage(string id, IEnumerable<string> known)
    {
        string[] all = [.. known.OrderBy(k => k, StringComparer.Ordinal)];
        string idLower = id.ToLowerInvariant();
        string idName = BaseName(idLower);
        int budget = Math.Max(2, id.Length / 3);
        string[] close = [.. all
            .Select(k => (Id: k, Distance: EditDistance(idLower, k.ToLowerInvariant())))
            .Where(t => t.Distance <= budget || BaseName(t.Id.ToLowerInvariant()) == idName)
            .OrderBy(t => t.Distance).ThenBy(t => t.Id, StringComparer.Ordinal)
            .Take(5)
            .Select(t => t.Id)];
        string suggestion = close.Length > 0 ? $" Did you mean: {string.Join(", ", close)}?" : "";
        return $"Unknown environment id '{id}'.{suggestion} Registered ids: {string.Join(", ", all)}.";
    }

    private static string BaseName(string id)
    {
        int v = id.LastIndexOf("-v", StringComparison.Ordinal);
        return v > 0 ? id[..v] : id;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions each cost 1).</summary>
    internal static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.Min(sub, Math.Min(prev[j] + 1, cur[j - 1] + 1));
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
