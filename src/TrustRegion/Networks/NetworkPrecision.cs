namespace TrustRegion.Networks;

/// <summary>Floating-point precision of an <see cref="Mlp"/>'s forward, backward and forward-tangent passes.</summary>
/// <remarks>
/// The parameters, the passes' inputs and results, and everything outside the network (action heads, conjugate gradient,
/// line search, Adam, GAE) stay in double precision whichever is chosen: <see cref="Single"/> only changes the arithmetic
/// inside the passes. Inference on a few rows (<see cref="Mlp.SmallBatchRows"/> or fewer: the per-step action and value of a
/// rollout, evaluation) runs in double either way (<see cref="Mlp.CreateInferenceWorkspace"/>), because rounding the
/// parameters for each such pass would cost more than it saves; the learner's batched passes use the chosen precision.
/// </remarks>
public enum NetworkPrecision
{
    /// <summary>Every pass in double precision (the reference; the default).</summary>
    Double,

    /// <summary>
    /// The passes compute in single precision (float32, as Stable-Baselines3 does throughout): at the start of each pass the
    /// double parameters (and a tangent's direction) are rounded to a float copy in the workspace, inputs are rounded row by
    /// row, layer outputs and back-propagated deltas are floats, and outputs, <c>J·v</c> and gradients are widened back to
    /// double (a chunk's float parameter gradient is widened, then the chunks are summed in double in chunk order). About
    /// twice the arithmetic throughput of <see cref="Double"/>; results agree with it to about 1e-5 relative.
    /// </summary>
    Single,
}
