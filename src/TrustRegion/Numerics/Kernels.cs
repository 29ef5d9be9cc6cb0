using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace TrustRegion.Numerics;

/// <summary>
/// Element-wise kernels of the network passes: fused bias + activation, activation derivatives, column sums.
/// Rows are <c>[rows × cols]</c> row-major. Internal: shapes are asserted, not checked.
/// </summary>
internal static unsafe class Kernels
{
    /// <summary>In place: <c>z[r, c] = act(z[r, c] + bias[c])</c> (linear when <paramref name="activation"/> is null).</summary>
    public static void BiasActivate(Span<double> z, int rows, int cols, ReadOnlySpan<double> bias, Activation? activation)
    {
        Debug.Assert(z.Length >= rows * cols && bias.Length >= cols);
        for (int r = 0; r < rows; r++)
        {
            Span<double> row = z.Slice(r * cols, cols);
            TensorPrimitives.Add(row, bias[..cols], row);
        }
        if (activation == Activation.Tanh)
        {
            TensorPrimitives.Tanh(z[..(rows * cols)], z);
        }
        else if (activation == Activation.ReLU)
        {
            TensorPrimitives.Max(z[..(rows * cols)], 0.0, z);
        }
    }

    /// <summary>
    /// In place: multiplies <paramref name="d"/> by the activation's derivative, expressed through the saved output y:
    /// tanh: <c>d[i] *= 1 − y[i]²</c>; ReLU: <c>d[i] = y[i] &gt; 0 ? d[i] : 0</c>.
    /// </summary>
    public static void ActivationDerivative(ReadOnlySpan<double> y, Span<double> d, Activation activation)
    {
        Debug.Assert(y.Length == d.Length);
        int n = y.Length;
        int i = 0;
        fixed (double* py = y, pd = d)
        {
            if (activation == Activation.Tanh)
            {
                for (; i + 8 <= n; i += 8)
                {
                    var vy = Vector512.Load(py + i);
                    (Vector512.Load(pd + i) * Vector512.FusedMultiplyAdd(-vy, vy, Vector512<double>.One)).Store(pd + i);
                }
                for (; i < n; i++)
                {
                    pd[i] *= 1.0 - (py[i] * py[i]);
                }
            }
            else
            {
                for (; i + 8 <= n; i += 8)
                {
                    var mask = Vector512.GreaterThan(Vector512.Load(py + i), Vector512<double>.Zero);
                    Vector512.ConditionalSelect(mask, Vector512.Load(pd + i), Vector512<double>.Zero).Store(pd + i);
                }
                for (; i < n; i++)
                {
                    pd[i] = py[i] > 0 ? pd[i] : 0.0;
                }
            }
        }
    }

    /// <summary><c>destination[c] (+)= Σ_r x[r, c]</c> over <paramref name="rows"/> rows.</summary>
    public static void ColumnSums(ReadOnlySpan<double> x, int rows, int cols, Span<double> destination, bool accumulate)
    {
        Debug.Assert(x.Length >= rows * cols && destination.Length >= cols);
        if (!accumulate)
        {
            destination[..cols].Clear();
        }
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(destination[..cols], x.Slice(r * cols, cols), destination[..cols]);
        }
    }
}
