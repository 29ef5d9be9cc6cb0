using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrustRegion.Numerics;

/// <summary>
/// The project's one deterministic pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018),
/// seeded through SplitMix64. Every random draw in TrustRegion (network initialisation, environment
/// resets, action sampling, minibatch shuffling) comes from an instance of this type, never from
/// <see cref="System.Random"/>, so one run seed fixes a whole run on every platform and thread count.
/// </summary>
/// <remarks>
/// <para>Streams: <see cref="Split(ulong)"/> derives an independent generator from this one's seed and a
/// stream id without advancing this generator, so the stream of environment copy <c>i</c> does not depend
/// on how many draws other streams made. Derivation hashes (seed, stream path) with SplitMix64, so
/// streams are statistically independent for practical purposes.</para>
/// <para>State: 256 bits plus the 64-bit stream key used by <see cref="Split(ulong)"/>; both are saved
/// and restored by <see cref="GetState"/> and <see cref="SetState(RngState)"/> so checkpoints resume
/// a run exactly.</para>
/// <para>Not thread-safe: give each thread its own stream.</para>
/// </remarks>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private ulong _key; // identifies this stream: the seed, mixed with every Split id on the way here

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    /// <param name="seed">Any value; equal seeds give equal streams.</param>
    public Rng(ulong seed)
    {
        _key = Mix(seed ^ 0x6A09E667F3BCC909UL);
        Initialise(_key);
    }

    private Rng(ulong key, bool _)
    {
        _key = key;
        Initialise(key);
    }

    private void Initialise(ulong key)
    {
        ulong sm = key;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 1; // the all-zero state is the one fixed point of xoshiro; SplitMix64 never yields it in practice
        }
    }

    /// <summary>
    /// Returns an independent generator for sub-stream <paramref name="streamId"/>. The result depends only on
    /// this generator's seed lineage and the id, not on how many numbers this generator has produced.
    /// </summary>
    public Rng Split(ulong streamId) => new(Mix(_key ^ Mix(streamId + 0x9E3779B97F4A7C15UL)), true);

    /// <summary>Next 64 uniformly distributed bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [<paramref name="low"/>, <paramref name="high"/>): <c>low + (high - low) * u</c>.</summary>
    public double NextDouble(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, <paramref name="n"/>), unbiased (Lemire's multiply-and-reject method).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)NextUInt64Below((ulong)n);
    }

    /// <summary>Uniform integer in [0, <paramref name="n"/>), unbiased; <paramref name="n"/> must be positive.</summary>
    public ulong NextUInt64Below(ulong n)
    {
        ArgumentOutOfRangeException.ThrowIfZero(n);
        ulong x = NextUInt64();
        UInt128 m = (UInt128)x * n;
        ulong low = (ulong)m;
        if (low < n)
        {
            ulong threshold = (0UL - n) % n;
            while (low < threshold)
            {
                x = NextUInt64();
                m = (UInt128)x * n;
                low = (ulong)m;
            }
        }
        return (ulong)(m >> 64);
    }

    /// <summary>
    /// Standard normal draw by the Box–Muller transform; consumes exactly two uniforms and keeps no spare,
    /// so the generator state alone determines the sequence.
    /// </summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal draws.</summary>
    public void FillGaussian(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextGaussian();
        }
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates, from the last element down).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)NextUInt64Below((ulong)(i + 1));
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Captures the full generator state (for checkpoints).</summary>
    public RngState GetState() => new(_s0, _s1, _s2, _s3, _key);

    /// <summary>Restores a state captured by <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state is all zero, which xoshiro256** cannot leave.</exception>
    public void SetState(RngState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
        {
            throw new ArgumentException("An all-zero xoshiro256** state is invalid; the checkpoint holding it is corrupt.", nameof(state));
        }
        (_s0, _s1, _s2, _s3, _key) = (state.S0, state.S1, state.S2, state.S3, state.Key);
    }

    /// <summary>Creates a generator positioned at a saved state.</summary>
    public static Rng FromState(RngState state)
    {
        var rng = new Rng(0);
        rng.SetState(state);
        return rng;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>The complete state of an <see cref="Rng"/>: the four xoshiro256** words and the stream key.</summary>
public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3, ulong Key);
