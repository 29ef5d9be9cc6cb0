using TrustRegion.Numerics;

namespace TrustRegion.Networks;

/// <summary>Orthogonal matrices as PyTorch's <c>nn.init.orthogonal_</c> makes them (Saxe et al., 2014).</summary>
internal static class Orthogonal
{
    /// <summary>
    /// Fills <paramref name="destination"/> (<c>[rows × cols]</c> row-major) with an orthogonal matrix: rows orthonormal when
    /// rows ≤ cols, columns orthonormal otherwise. Draws a standard-normal matrix in row order, takes the Q factor of the QR
    /// decomposition of its tall orientation with R's diagonal made positive (modified Gram–Schmidt with one re-orthogonalisation
    /// yields exactly that factor), and transposes back.
    /// </summary>
    public static void Fill(Rng rng, int rows, int cols, Span<double> destination)
    {
        var g = new double[rows * cols];
        rng.FillGaussian(g);
        bool transpose = rows < cols;
        int tr = transpose ? cols : rows, tc = transpose ? rows : cols; // tall: tr ≥ tc
        var t = new double[tr * tc]; // column j of the tall matrix at t[j*tr .. j*tr+tr)
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double v = g[(r * cols) + c];
                if (transpose)
                {
                    t[(r * tr) + c] = v; // tall = gᵀ: element (c, r) → column r
                }
                else
                {
                    t[(c * tr) + r] = v; // tall = g: element (r, c) → column c
                }
            }
        }
        for (int j = 0; j < tc; j++)
        {
            Span<double> qj = t.AsSpan(j * tr, tr);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < j; i++)
                {
                    ReadOnlySpan<double> qi = t.AsSpan(i * tr, tr);
                    double d = System.Numerics.Tensors.TensorPrimitives.Dot(qi, qj);
                    for (int r = 0; r < tr; r++)
                    {
                        qj[r] -= d * qi[r];
                    }
                }
            }
            double norm = System.Numerics.Tensors.TensorPrimitives.Norm(qj);
            if (!(norm > 1e-300))
            {
                throw new InvalidOperationException("Orthogonal initialisation drew a rank-deficient matrix; use another seed.");
            }
            for (int r = 0; r < tr; r++)
            {
                qj[r] /= norm;
            }
        }
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                destination[(r * cols) + c] = transpose ? t[(r * tr) + c] : t[(c * tr) + r];
            }
        }
    }
}
