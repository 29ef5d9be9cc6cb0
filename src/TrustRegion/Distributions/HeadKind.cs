namespace TrustRegion.Distributions;

/// <summary>Which family of action distribution a policy head produces.</summary>
public enum HeadKind
{
    /// <summary>One categorical over the values of a <c>Discrete</c> space; network outputs are its logits.</summary>
    Categorical,

    /// <summary>Independent categoricals, one per element of a <c>MultiDiscrete</c> space; outputs are their logits, concatenated.</summary>
    MultiCategorical,

    /// <summary>Diagonal Gaussian over a <c>Box</c>: outputs are the means; the log standard deviations are state-independent parameters.</summary>
    DiagonalGaussian,

    /// <summary>
    /// Generalized state-dependent exploration over a <c>Box</c> (<see cref="GsdeHead"/>): outputs are the means; the noise scale is
    /// a learned <c>[latent × action]</c> log-std matrix applied to the policy's last hidden features.
    /// </summary>
    Gsde,
}
