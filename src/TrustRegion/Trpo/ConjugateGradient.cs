using System.Numerics.Tensors;

namespace TrustRegion.Trpo;

/// <summary>A symmetric positive (semi-)definite linear map <c>x ↦ A x</c> applied without forming A.</summary>
public interface ILinearOperator
{
    /// <summary>Writes <c>A x</c> into <paramref name="destination"/>.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> destination);
}

/// <summary>Outcome of <see cref="ConjugateGradient.Solve"/>.</summary>
/// <param name="Iterations">Iterations run (each one product with the operator).</param>
/// <param name="ResidualNorm">Final <c>‖b − A x‖</c> as tracked by the recursion.</param>
/// <param name="Converged">The squared residual fell below the tolerance before the iteration limit.</param>
public readonly record struct CgResult(int Iterations, double ResidualNorm, bool Converged);

/// <summary>
/// Conjugate gradient (Hestenes and Stiefel, 1952; Nocedal and Wright, Algorithm 5.2) for <c>A x = b</c> from <c>x₀ = 0</c>,
/// so the first residual is b itself. Stops after <c>maxIterations</c> or once <c>rᵀr &lt; tolerance</c>.
/// </summary>
public static class ConjugateGradient
{
    /// <summary>Solves <c>A x = b</c> approximately; allocation-free with caller scratch.</summary>
    /// <param name="op">The operator A (symmetric positive definite on the span of b).</param>
    /// <param name="b">Right-hand side.</param>
    /// <param name="x">Receives the solution.</param>
    /// <param name="residual">Scratch; receives the final residual <c>r = b − A x</c> (recursively updated).</param>
    /// <param name="direction">Scratch of length n.</param>
    /// <param name="product">Scratch of length n.</param>
    /// <param name="maxIterations">Iteration limit (≥ 1).</param>
    /// <param name="tolerance">Threshold on the squared residual norm (≥ 0).</param>
    public static CgResult Solve<TOperator>(TOperator op, ReadOnlySpan<double> b, Span<double> x, Span<double> residual, Span<double> direction, Span<double> product, int maxIterations, double tolerance)
        where TOperator : ILinearOperator
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = b.Length;
        if (x.Length != n || residual.Length != n || direction.Length != n || product.Length != n)
        {
            throw new ArgumentException($"x, residual, direction and product must all have the length of b ({n}); found {x.Length}, {residual.Length}, {direction.Length}, {product.Length}.", nameof(x));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        x.Clear();
        b.CopyTo(residual);
        b.CopyTo(direction);
        double rr = TensorPrimitives.Dot(residual, residual);
        if (rr < tolerance || rr == 0)
        {
            return new CgResult(0, Math.Sqrt(rr), true);
        }
        for (int k = 1; k <= maxIterations; k++)
        {
            op.Apply(direction, product);
            double pAp = TensorPrimitives.Dot(direction, product);
            if (!(pAp > 0))
            {
                // No curvature along p (A singular there); with a damped Fisher matrix this cannot happen.
                return new CgResult(k, Math.Sqrt(rr), false);
            }
            double alpha = rr / pAp;
            TensorPrimitives.MultiplyAdd(direction, alpha, x, x);
            TensorPrimitives.MultiplyAdd(product, -alpha, residual, residual);
            double rrNew = TensorPrimitives.Dot(residual, residual);
            if (rrNew < tolerance)
            {
                return new CgResult(k, Math.Sqrt(rrNew), true);
            }
            TensorPrimitives.MultiplyAdd(direction, rrNew / rr, residual, direction);
            rr = rrNew;
        }
        return new CgResult(maxIterations, Math.Sqrt(rr), false);
    }
}
