namespace TrustRegion.Trpo;

/// <summary>
/// Experience of one rollout: T steps of E environments, allocated once and refilled every iteration.
/// Every per-step array is laid out step-major: row <c>t · E + e</c> holds step t of environment e
/// (observations and actions have <see cref="ObservationSize"/> / <see cref="ActionSize"/> doubles per row).
/// </summary>
/// <remarks>
/// The collector writes observations, actions, rewards, the two end flags, values, log-probabilities, the values of final
/// observations at truncations, and <see cref="LastValues"/>; <see cref="Gae.Compute"/> then writes advantages and returns.
/// </remarks>
public sealed class RolloutBuffer
{
    /// <summary>Allocates a buffer for <paramref name="numSteps"/> × <paramref name="numEnvs"/> transitions.</summary>
    public RolloutBuffer(int numSteps, int numEnvs, int observationSize, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEnvs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        long count = (long)numSteps * numEnvs;
        if (count * Math.Max(observationSize, actionSize) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(numSteps), count, $"{numSteps} steps × {numEnvs} envs × {Math.Max(observationSize, actionSize)} doubles do not fit in one array.");
        }
        NumSteps = numSteps;
        NumEnvs = numEnvs;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        int n = (int)count;
        Observations = new double[n * observationSize];
        Actions = new double[n * actionSize];
        Rewards = new double[n];
        Terminated = new bool[n];
        Truncated = new bool[n];
        Values = new double[n];
        LogProbs = new double[n];
        TruncationValues = new double[n];
        LastValues = new double[numEnvs];
        Advantages = new double[n];
        Returns = new double[n];
    }

    /// <summary>Steps per environment, T.</summary>
    public int NumSteps { get; }

    /// <summary>Environments, E.</summary>
    public int NumEnvs { get; }

    /// <summary>Transitions, T · E.</summary>
    public int Count => NumSteps * NumEnvs;

    /// <summary>Doubles per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Doubles per action.</summary>
    public int ActionSize { get; }

    /// <summary>Observation the action was chosen from, <c>[T·E × ObservationSize]</c>.</summary>
    public double[] Observations { get; }

    /// <summary>Action taken (unclipped, as sampled), <c>[T·E × ActionSize]</c>.</summary>
    public double[] Actions { get; }

    /// <summary>Reward received, <c>[T·E]</c>.</summary>
    public double[] Rewards { get; }

    /// <summary>The step reached a terminal state: nothing is bootstrapped past it, <c>[T·E]</c>.</summary>
    public bool[] Terminated { get; }

    /// <summary>The step was cut by a time limit: the value of its final observation is bootstrapped, <c>[T·E]</c>.</summary>
    public bool[] Truncated { get; }

    /// <summary><c>V(observation)</c> at collection time, <c>[T·E]</c>.</summary>
    public double[] Values { get; }

    /// <summary>Log-probability of the action under the collecting policy, <c>[T·E]</c>.</summary>
    public double[] LogProbs { get; }

    /// <summary><c>V(final observation)</c> where <see cref="Truncated"/> is set (ignored elsewhere), <c>[T·E]</c>.</summary>
    public double[] TruncationValues { get; }

    /// <summary><c>V(observation after the last step)</c> per environment, bootstrapped unless that step ended an episode, <c>[E]</c>.</summary>
    public double[] LastValues { get; }

    /// <summary>GAE(γ, λ) advantages, written by <see cref="Gae.Compute"/>, <c>[T·E]</c>.</summary>
    public double[] Advantages { get; }

    /// <summary>Returns = advantages + values (the value function's regression targets), <c>[T·E]</c>.</summary>
    public double[] Returns { get; }
}
