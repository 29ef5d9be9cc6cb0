namespace TrustRegion.Trpo;

/// <summary>
/// Generalized advantage estimation (Schulman et al., 2016) over a <see cref="RolloutBuffer"/>, keeping terminations and
/// truncations apart.
/// </summary>
/// <remarks>
/// For step t of environment e with value <c>V_t</c>:
/// <c>δ_t = r_t + γ · V_next − V_t</c>, where <c>V_next</c> is 0 after a termination, <c>V(final observation)</c> after a
/// truncation (Stable-Baselines3 issue #633: a time limit is not a terminal state), <see cref="RolloutBuffer.LastValues"/> after
/// the rollout's last step, and <c>V_{t+1}</c> otherwise; then <c>A_t = δ_t + γλ · A_{t+1}</c>, where the sum restarts (A_{t+1}
/// taken as 0) at an episode end and at the rollout's last step. λ = 1 gives discounted returns minus values; λ = 0 the TD errors.
/// </remarks>
public static class Gae
{
    /// <summary>Writes <see cref="RolloutBuffer.Advantages"/> and <see cref="RolloutBuffer.Returns"/> (= advantages + values).</summary>
    /// <exception cref="ArgumentOutOfRangeException">γ or λ lies outside [0, 1].</exception>
    public static void Compute(RolloutBuffer buffer, double gamma, double gaeLambda)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        TrpoOptions.Check(gamma >= 0 && gamma <= 1, nameof(gamma), gamma, "in [0, 1]");
        TrpoOptions.Check(gaeLambda >= 0 && gaeLambda <= 1, nameof(gaeLambda), gaeLambda, "in [0, 1]");
        int steps = buffer.NumSteps, envs = buffer.NumEnvs;
        double[] r = buffer.Rewards, v = buffer.Values, adv = buffer.Advantages, ret = buffer.Returns;
        bool[] term = buffer.Terminated, trunc = buffer.Truncated;
        for (int e = 0; e < envs; e++)
        {
            double next = 0; // A_{t+1}
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = (t * envs) + e;
                bool last = t == steps - 1;
                double nextValue;
                bool continues;
                if (term[i])
                {
                    nextValue = 0;
                    continues = false;
                }
                else if (trunc[i])
                {
                    nextValue = buffer.TruncationValues[i];
                    continues = false;
                }
                else
                {
                    nextValue = last ? buffer.LastValues[e] : v[i + envs];
                    continues = !last;
                }
                double delta = r[i] + (gamma * nextValue) - v[i];
                next = delta + (continues ? gamma * gaeLambda * next : 0.0);
                adv[i] = next;
                ret[i] = next + v[i];
            }
        }
    }

    /// <summary>
    /// Explained variance <c>1 − Var(returns − values) / Var(returns)</c> (population variances): 1 is a perfect fit, 0 no better
    /// than the mean, negative worse. NaN when the returns have zero variance.
    /// </summary>
    public static double ExplainedVariance(ReadOnlySpan<double> values, ReadOnlySpan<double> returns)
    {
        if (values.Length != returns.Length)
        {
            throw new ArgumentException($"values has {values.Length} elements and returns {returns.Length}; they must match.", nameof(values));
        }
        int n = returns.Length;
        if (n == 0)
        {
            return double.NaN;
        }
        double mr = 0, md = 0;
        for (int i = 0; i < n; i++)
        {
            mr += returns[i];
            md += returns[i] - values[i];
        }
        mr /= n;
        md /= n;
        double vr = 0, vd = 0;
        for (int i = 0; i < n; i++)
        {
            double a = returns[i] - mr, d = returns[i] - values[i] - md;
            vr += a * a;
            vd += d * d;
        }
        return vr == 0 ? double.NaN : 1.0 - (vd / vr);
    }
}
