using System.Globalization;

namespace TrustRegion.Trpo;

/// <summary>
/// Constants of one TRPO policy step (Schulman et al., 2015). Defaults follow the reference implementations (OpenAI Baselines,
/// Spinning Up); <see cref="StableBaselines3"/> gives sb3-contrib's. Immutable; <see cref="Validate"/> names any bad key.
/// </summary>
public sealed record TrpoOptions
{
    /// <summary>Trust-region radius δ: the largest accepted mean KL(old ‖ new) (sb3-contrib measures KL(new ‖ old); see docs/learning-parity.md). Typical range 0.005–0.05. Default 0.01.</summary>
    public double MaxKl { get; init; } = 0.01;

    /// <summary>Maximum conjugate-gradient iterations for <c>F s = g</c>. Typical 10–25. Default 10 (sb3-contrib: 15).</summary>
    public int CgIterations { get; init; } = 10;

    /// <summary>Damping λ added to the Fisher matrix (<c>F + λI</c>), keeping CG well posed. Typical 0.001–0.1. Default 0.1.</summary>
    public double CgDamping { get; init; } = 0.1;

    /// <summary>CG stops early once the squared residual norm <c>rᵀr</c> falls below this. Default 1e-10 (as OpenAI Baselines).</summary>
    public double CgResidualTolerance { get; init; } = 1e-10;

    /// <summary>Most step sizes the backtracking line search tries. Default 10.</summary>
    public int LineSearchSteps { get; init; } = 10;

    /// <summary>Factor by which each line-search step shrinks the previous one, in (0, 1). Default 0.5 (sb3-contrib: 0.8).</summary>
    public double LineSearchBacktrack { get; init; } = 0.5;

    /// <summary>Normalise advantages to zero mean and unit (sample) standard deviation over the batch. Default true.</summary>
    public bool NormalizeAdvantage { get; init; } = true;

    /// <summary>Fisher-vector products use every k-th sample of the batch (the subsampled Fisher of Schulman's thesis); 1 uses all. Default 1. (sb3-contrib's <c>sub_sampling_factor</c> subsamples the whole policy step instead: the <c>Trainer</c> does that and keeps this at 1.)</summary>
    public int FisherSubsampling { get; init; } = 1;

    /// <summary>Weight of the mean policy entropy added to the surrogate; 0 disables the bonus. Default 0.</summary>
    public double EntropyCoefficient { get; init; }

    /// <summary>
    /// Measure the KL of a continuous (Gaussian or gSDE) policy per action dimension, as sb3-contrib does, instead of for the whole
    /// action. sb3-contrib takes <c>kl_divergence(new, old).mean()</c> over a tensor of per-dimension KLs, so its mean KL is the
    /// policy's KL divided by the action dimension d, in the line search and in the Hessian whose products CG uses. That is the
    /// same step as the whole-action KL with radius d·δ and damping d·λ, which is how it is computed here; the reported KL is the
    /// per-dimension one, so that it compares with δ. No effect on categorical policies (sb3-contrib sums a MultiDiscrete's
    /// parts) or with d = 1. Default false (Schulman et al., OpenAI Baselines and Spinning Up constrain the whole-action KL).
    /// </summary>
    public bool KlPerActionDimension { get; init; }

    /// <summary>sb3-contrib TRPO's constants: 15 CG iterations and a backtrack ratio of 0.8 (the rest equal the defaults).</summary>
    public static TrpoOptions StableBaselines3 { get; } = new() { CgIterations = 15, LineSearchBacktrack = 0.8 };

    /// <summary>Checks every key; the exception names the key, its value and the valid range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A key is out of range.</exception>
    public void Validate()
    {
        Check(MaxKl > 0 && double.IsFinite(MaxKl), nameof(MaxKl), MaxKl, "a finite value > 0");
        Check(CgIterations >= 1, nameof(CgIterations), CgIterations, "an integer ≥ 1");
        Check(CgDamping >= 0 && double.IsFinite(CgDamping), nameof(CgDamping), CgDamping, "a finite value ≥ 0");
        Check(CgResidualTolerance >= 0 && double.IsFinite(CgResidualTolerance), nameof(CgResidualTolerance), CgResidualTolerance, "a finite value ≥ 0");
        Check(LineSearchSteps >= 1, nameof(LineSearchSteps), LineSearchSteps, "an integer ≥ 1");
        Check(LineSearchBacktrack > 0 && LineSearchBacktrack < 1, nameof(LineSearchBacktrack), LineSearchBacktrack, "the open interval (0, 1)");
        Check(FisherSubsampling >= 1, nameof(FisherSubsampling), FisherSubsampling, "an integer ≥ 1");
        Check(EntropyCoefficient >= 0 && double.IsFinite(EntropyCoefficient), nameof(EntropyCoefficient), EntropyCoefficient, "a finite value ≥ 0");
    }

    internal static void Check(bool ok, string key, double value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(key, value, $"{key} is {value.ToString(CultureInfo.InvariantCulture)}; it must be {range}.");
        }
    }
}
