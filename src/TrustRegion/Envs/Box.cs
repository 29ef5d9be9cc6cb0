using System.Globalization;
using TrustRegion.Numerics;

namespace TrustRegion.Envs;

/// <summary>
/// A box in R^n (Gymnasium's <c>Box</c>): each element lies between its lower and upper bound, which may be infinite.
/// </summary>
public sealed class Box : Space
{
    private readonly double[] _low;
    private readonly double[] _high;
    private readonly int[] _shape;

    /// <summary>Creates a box with per-element bounds.</summary>
    /// <param name="low">Lower bounds, flat; may hold <see cref="double.NegativeInfinity"/>.</param>
    /// <param name="high">Upper bounds, flat; may hold <see cref="double.PositiveInfinity"/>.</param>
    /// <param name="shape">Shape; null means one dimension of <c>low.Length</c>.</param>
    /// <param name="elementType"><see cref="ElementType.Float32"/> (Gymnasium's default) or <see cref="ElementType.Float64"/>.</param>
    /// <exception cref="ArgumentException">Bounds differ in length, disagree with the shape, are NaN, or low exceeds high.</exception>
    public Box(ReadOnlySpan<double> low, ReadOnlySpan<double> high, IReadOnlyList<int>? shape = null, ElementType elementType = ElementType.Float32)
    {
        if (low.Length != high.Length)
        {
            throw new ArgumentException($"Box bounds differ in length: low has {low.Length}, high has {high.Length}.", nameof(high));
        }
        if (elementType == ElementType.Int64)
        {
            throw new ArgumentException("A Box holds floating-point values; use Discrete or MultiDiscrete for integers.", nameof(elementType));
        }
        _shape = shape is null ? [low.Length] : [.. shape];
        long size = 1;
        foreach (int d in _shape)
        {
            if (d <= 0)
            {
                throw new ArgumentException($"Box shape ({string.Join(", ", _shape)}) has a non-positive dimension.", nameof(shape));
            }
            size *= d;
        }
        if (size != low.Length)
        {
            throw new ArgumentException($"Box shape ({string.Join(", ", _shape)}) holds {size} elements but the bounds have {low.Length}.", nameof(shape));
        }
        for (int i = 0; i < low.Length; i++)
        {
            if (double.IsNaN(low[i]) || double.IsNaN(high[i]) || low[i] > high[i])
            {
                throw new ArgumentException($"Box bound {i} is invalid: low {low[i]}, high {high[i]} (need low <= high, neither NaN).", nameof(low));
            }
        }
        _low = low.ToArray();
        _high = high.ToArray();
        ElementType = elementType;
    }

    /// <summary>Creates a box with the same bounds on every element.</summary>
    public static Box Uniform(double low, double high, int size, ElementType elementType = ElementType.Float32)
    {
        var lo = new double[size];
        var hi = new double[size];
        Array.Fill(lo, low);
        Array.Fill(hi, high);
        return new Box(lo, hi, null, elementType);
    }

    /// <summary>Lower bounds, flat.</summary>
    public ReadOnlySpan<double> Low => _low;

    /// <summary>Upper bounds, flat.</summary>
    public ReadOnlySpan<double> High => _high;

    /// <inheritdoc/>
    public override IReadOnlyList<int> Shape => _shape;

    /// <inheritdoc/>
    public override int FlatSize => _low.Length;

    /// <inheritdoc/>
    public override ElementType ElementType { get; }

    /// <summary>True when every bound is finite.</summary>
    public bool IsBounded
    {
        get
        {
            for (int i = 0; i < _low.Length; i++)
            {
                if (!double.IsFinite(_low[i]) || !double.IsFinite(_high[i]))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> value)
    {
        if (value.Length != _low.Length)
        {
            return false;
        }
        for (int i = 0; i < value.Length; i++)
        {
            double v = value[i];
            if (double.IsNaN(v) || v < _low[i] || v > _high[i])
            {
                return false;
            }
            if (ElementType == ElementType.Float32 && (double)(float)v != v)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Clips <paramref name="value"/> into the bounds in place (<c>min(max(v, low), high)</c>).</summary>
    public void Clip(Span<double> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = Math.Min(Math.Max(value[i], _low[i]), _high[i]);
        }
    }

    /// <summary>
    /// Samples as Gymnasium does: uniform on bounded elements, exponential on half-bounded ones, normal on unbounded ones.
    /// Float32 boxes round the draw to float32 (and back inside the bounds).
    /// </summary>
    public override void Sample(Rng rng, Span<double> destination)
    {
        for (int i = 0; i < _low.Length; i++)
        {
            double lo = _low[i], hi = _high[i], v;
            bool loFinite = double.IsFinite(lo), hiFinite = double.IsFinite(hi);
            if (loFinite && hiFinite)
            {
                v = rng.NextDouble(lo, hi);
            }
            else if (loFinite)
            {
                v = lo - Math.Log(1.0 - rng.NextDouble());
            }
            else if (hiFinite)
            {
                v = hi + Math.Log(1.0 - rng.NextDouble());
            }
            else
            {
                v = rng.NextGaussian();
            }
            if (ElementType == ElementType.Float32)
            {
                v = (double)(float)v; // rounding may step just outside a bound; step back in by one float32 ulp
                if (v < lo)
                {
                    v = (double)MathF.BitIncrement((float)v);
                }
                if (v > hi)
                {
                    v = (double)MathF.BitDecrement((float)v);
                }
            }
            destination[i] = v;
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string Fmt(double[] a)
        {
            bool same = Array.TrueForAll(a, x => x.Equals(a[0]));
            return same ? a[0].ToString("G6", CultureInfo.InvariantCulture) : "[" + string.Join(", ", Array.ConvertAll(a, x => x.ToString("G6", CultureInfo.InvariantCulture))) + "]";
        }
        return $"Box({Fmt(_low)}, {Fmt(_high)}, ({string.Join(", ", _shape)}), {(ElementType == ElementType.Float32 ? "float32" : "float64")})";
    }
}
