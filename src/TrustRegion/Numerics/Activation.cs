namespace TrustRegion.Numerics;

/// <summary>Hidden-layer nonlinearity of a multilayer perceptron.</summary>
public enum Activation
{
    /// <summary>Hyperbolic tangent, <c>tanh(z)</c> (Stable-Baselines3's default for TRPO, PPO and A2C).</summary>
    Tanh,

    /// <summary>Rectified linear unit, <c>max(z, 0)</c>.</summary>
    ReLU,
}
