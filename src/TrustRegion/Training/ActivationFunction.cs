namespace TrustRegion.Training;

/// <summary>Hidden-layer activation of the policy and value networks (RL Zoo key <c>activation_fn</c>).</summary>
public enum ActivationFunction
{
    /// <summary>Hyperbolic tangent (sb3-contrib's default for TRPO). YAML value <c>tanh</c>.</summary>
    Tanh,

    /// <summary>Rectified linear unit, <c>max(0, x)</c>. YAML value <c>relu</c>.</summary>
    Relu,
}
