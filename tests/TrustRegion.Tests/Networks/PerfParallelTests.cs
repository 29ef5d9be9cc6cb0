using TrustRegion.Envs;
using TrustRegion.Networks;
using TrustRegion.Numerics;
using TrustRegion.Trpo;

namespace TrustRegion.Tests.Networks;

/// <summary>Row-chunked passes on a worker pool: correct, and bit-identical for any number of threads.</summary>
[Collection(nameof(PerfCollection))]
public class PerfParallelTests
{
    private static readonly ComputePool One = new(1);
    private static readonly ComputePool Two = new(2);
    private static readonly ComputePool Three = new(3);

    private sealed class CountingJob(int chunks) : IChunkJob
    {
        public readonly int[] Runs = new int[chunks];
        public readonly int[] Threads = new int[chunks];

        public void Execute(int chunk)
        {
            Interlocked.Increment(ref Runs[chunk]);
            Threads[chunk] = Environment.CurrentManagedThreadId;
        }
    }

    private sealed class NestedJob(ComputePool pool) : IChunkJob
    {
        public readonly CountingJob[] Inner = [new(5), new(5), new(5), new(5)];

        public void Execute(int chunk) => pool.Run(Inner[chunk], 5);
    }

    private sealed class ThrowingJob : IChunkJob
    {
        public void Execute(int chunk)
        {
            if (chunk == 3)
            {
                throw new InvalidOperationException("chunk 3 failed");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pool_RunsEveryChunkExactlyOnce(int threads)
    {
        using var pool = new ComputePool(threads);
        for (int chunks = 0; chunks <= 20; chunks++)
        {
            for (int rep = 0; rep < 20; rep++)
            {
                var job = new CountingJob(chunks);
                pool.Run(job, chunks);
                Assert.All(job.Runs, r => Assert.Equal(1, r));
            }
        }
    }

    [Fact]
    public void Pool_NestedJobRunsInline_AndExceptionsReachTheCaller()
    {
        using var pool = new ComputePool(2);
        var nested = new NestedJob(pool);
        pool.Run(nested, 4);
        foreach (var inner in nested.Inner)
        {
            Assert.All(inner.Runs, r => Assert.Equal(1, r));
            Assert.Single(inner.Threads.Distinct()); // inline on the thread that ran the outer chunk
        }
        var e = Assert.Throws<InvalidOperationException>(() => pool.Run(new ThrowingJob(), 8));
        Assert.Equal("chunk 3 failed", e.Message);
        var after = new CountingJob(6);
        pool.Run(after, 6); // still usable
        Assert.All(after.Runs, r => Assert.Equal(1, r));
    }

    /// <summary>Chunk 0 waits (up to <paramref name="patience"/>) for chunk 1 to start on another thread: true when the two ran at the same time.</summary>
    private sealed class MeetingJob(TimeSpan patience) : IChunkJob, IDisposable
    {
        private readonly ManualResetEventSlim _second = new();
        public readonly int[] Threads = new int[2];
        public bool Met;

        public void Execute(int chunk)
        {
            Threads[chunk] = Environment.CurrentManagedThreadId;
            if (chunk == 1)
            {
                _second.Set();
                return;
            }
            Met = _second.Wait(patience);
        }

        public void Dispose() => _second.Dispose();
    }

    [Fact]
    public void Pool_ReservedThreadIsHeldBackUntilReleasedOnce()
    {
        using var pool = new ComputePool(2);
        var reservation = new ThreadReservation();
        reservation.Take(pool);
        for (int rep = 0; rep < 5; rep++)
        {
            var held = new CountingJob(8);
            pool.Run(held, 8);
            Assert.All(held.Runs, r => Assert.Equal(1, r));
            Assert.All(held.Threads, t => Assert.Equal(Environment.CurrentManagedThreadId, t)); // one thread of two held back: the caller alone
        }
        using var alone = new MeetingJob(TimeSpan.FromMilliseconds(300));
        pool.Run(alone, 2);
        Assert.False(alone.Met);

        reservation.Release();
        reservation.Release(); // the other side finishing later: no second hand-back
        using var together = new MeetingJob(TimeSpan.FromSeconds(10));
        pool.Run(together, 2);
        Assert.True(together.Met, "after the release the worker must take chunk 1 while the caller holds chunk 0");
        Assert.NotEqual(together.Threads[0], together.Threads[1]);
        reservation.Take(pool); // the double release above handed back one thread only: a new reservation holds again
        using var againAlone = new MeetingJob(TimeSpan.FromMilliseconds(300));
        pool.Run(againAlone, 2);
        Assert.False(againAlone.Met);
        reservation.Release();

        using var three = new ComputePool(3);
        reservation.Take(three); // three threads, one held back: the caller and one worker still share a job
        using var shared = new MeetingJob(TimeSpan.FromSeconds(10));
        three.Run(shared, 2);
        Assert.True(shared.Met);
        reservation.Release();
    }

    [Fact]
    public void Pool_RejectsBadThreadCount()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ComputePool(0));
        Assert.Contains("threads is 0", e.Message);
    }

    [Fact]
    public void RowChunks_CoverTheBatchInMultiplesOfEight()
    {
        for (int rows = 1; rows <= 5000; rows += rows < 300 ? 1 : 37)
        {
            int count = RowChunks.Count(rows), size = RowChunks.ChunkRows(rows);
            Assert.InRange(count, 1, RowChunks.MaxChunks);
            Assert.Equal(0, size % 8);
            Assert.True((count - 1) * size < rows && count * size >= rows, $"rows {rows}: {count} chunks of {size}");
            if (rows >= 2 * RowChunks.MinRows)
            {
                Assert.True(count >= 2, $"rows {rows} should be split");
            }
        }
    }

    internal static (Mlp Net, double[] X) Network(Activation act, int inSize, int outSize, int batch, ulong seed, NetworkPrecision precision = NetworkPrecision.Double)
    {
        var rng = new Rng(seed);
        var net = new Mlp(new MlpShape(inSize, [64, 48], outSize, act), precision: precision);
        net.InitializeOrthogonal(rng, Math.Sqrt(2), 1.0);
        foreach (ref double p in net.Parameters)
        {
            p += 0.2 * rng.NextGaussian();
        }
        var x = new double[batch * inSize];
        rng.FillGaussian(x);
        return (net, x);
    }

    private static (double[] Y, double[] G, double[] Dx, double[] T) Passes(Mlp net, double[] x, int batch, ComputePool pool, ulong seed)
    {
        var ws = net.CreateWorkspace(batch);
        ws.Workers = pool;
        var rng = new Rng(seed);
        var u = new double[batch * net.Shape.OutputSize];
        rng.FillGaussian(u);
        var v = new double[net.ParameterCount];
        rng.FillGaussian(v);
        double[] y = net.Forward(x, batch, ws).ToArray();
        var g = new double[net.ParameterCount];
        rng.FillGaussian(g);
        var dx = new double[batch * net.Shape.InputSize];
        net.Backward(x, u, ws, g, accumulate: true, dx);
        double[] t = net.ForwardTangent(x, v, ws).ToArray();
        return (y, g, dx, t);
    }

    [Theory]
    [InlineData(Activation.Tanh, 4, 2, 1024, NetworkPrecision.Double)]
    [InlineData(Activation.Tanh, 11, 3, 1001, NetworkPrecision.Double)]
    [InlineData(Activation.ReLU, 7, 1, 515, NetworkPrecision.Double)]
    [InlineData(Activation.Tanh, 4, 2, 1024, NetworkPrecision.Single)]
    [InlineData(Activation.Tanh, 11, 3, 1001, NetworkPrecision.Single)]
    [InlineData(Activation.ReLU, 7, 1, 515, NetworkPrecision.Single)]
    public void Passes_AreBitIdenticalForOneTwoAndThreeThreads(Activation act, int inSize, int outSize, int batch, NetworkPrecision precision)
    {
        var (net, x) = Network(act, inSize, outSize, batch, 11, precision);
        var r1 = Passes(net, x, batch, One, 12);
        foreach (var pool in new[] { Two, Three, ComputePool.Shared })
        {
            for (int rep = 0; rep < 3; rep++)
            {
                var r = Passes(net, x, batch, pool, 12);
                Assert.Equal(r1.Y, r.Y);
                Assert.Equal(r1.G, r.G);
                Assert.Equal(r1.Dx, r.Dx);
                Assert.Equal(r1.T, r.T);
            }
        }
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void ChunkedPasses_AgreeWithSingleChunkPassesOverSlices(Activation act)
    {
        const int Batch = 777, Slice = 37; // 777 rows: 8 chunks; 37-row slices: one chunk each
        var (net, x) = Network(act, 5, 3, Batch, 21);
        var (y, g, dx, t) = Passes(net, x, Batch, Two, 22);
        var rng = new Rng(22);
        var u = new double[Batch * 3];
        rng.FillGaussian(u);
        var v = new double[net.ParameterCount];
        rng.FillGaussian(v);
        var gRef = new double[net.ParameterCount];
        rng.FillGaussian(gRef);
        var ws = net.CreateWorkspace(Slice);
        for (int r0 = 0; r0 < Batch; r0 += Slice)
        {
            int n = Math.Min(Slice, Batch - r0);
            ReadOnlySpan<double> xs = x.AsSpan(r0 * 5, n * 5);
            ReadOnlySpan<double> ys = net.Forward(xs, n, ws);
            AssertClose(y.AsSpan(r0 * 3, n * 3), ys, 1e-13);
            var dxs = new double[n * 5];
            net.Backward(xs, u.AsSpan(r0 * 3, n * 3), ws, gRef, accumulate: true, dxs);
            AssertClose(dx.AsSpan(r0 * 5, n * 5), dxs, 1e-13);
            AssertClose(t.AsSpan(r0 * 3, n * 3), net.ForwardTangent(xs, v, ws), 1e-13);
        }
        AssertClose(g, gRef, 1e-12);
    }

    private static void AssertClose(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tol * (1 + Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
        }
    }

    private static (double[] Theta, TrpoDiagnostics D, double[] Value, double Loss) Learn(Space space, int obsSize, int batch, ComputePool pool, bool useSde = false,
        NetworkPrecision precision = NetworkPrecision.Double)
    {
        var rng = new Rng(31);
        var policy = new Policy(space, obsSize, [64, 64], Activation.Tanh, 0.0, rng.Split(1), useSde, precision);
        policy.ResampleNoise(rng.Split(5), 4); // gSDE: one noise matrix per env copy; no effect for other heads
        var obs = new double[batch * obsSize];
        rng.FillGaussian(obs);
        var actions = new double[batch * policy.ActionSize];
        policy.Act(obs, batch, actions, new double[batch], rng.Split(2), deterministic: false);
        var adv = new double[batch];
        rng.FillGaussian(adv);
        var updater = new TrpoUpdater(policy, batch, TrpoOptions.StableBaselines3 with { EntropyCoefficient = 0.01 }) { Workers = pool };
        TrpoDiagnostics d = updater.Update(obs, actions, adv, batch);
        var value = new ValueFunction(obsSize, [64, 64], Activation.Tanh, rng.Split(3), precision) { Workers = pool };
        var returns = new double[batch];
        rng.FillGaussian(returns);
        double loss = value.Fit(obs, returns, batch, new ValueFitOptions { Epochs = 3, MinibatchSize = 256 }, rng.Split(4));
        return (policy.Parameters.ToArray(), d, value.Parameters.ToArray(), loss);
    }

    [Theory]
    [InlineData(NetworkPrecision.Double)]
    [InlineData(NetworkPrecision.Single)]
    public void PolicyUpdateAndValueFit_AreBitIdenticalForOneAndTwoThreads(NetworkPrecision precision)
    {
        foreach (var (space, obsSize, batch) in new (Space, int, int)[] { (new Discrete(2), 4, 1024), (Box.Uniform(-1, 1, 3), 11, 600) })
        {
            var a = Learn(space, obsSize, batch, One, precision: precision);
            var b = Learn(space, obsSize, batch, Two, precision: precision);
            Assert.Equal(LineSearchOutcome.Accepted, a.D.Outcome);
            Assert.Equal(a.Theta, b.Theta);
            Assert.Equal(a.D, b.D);
            Assert.Equal(a.Value, b.Value);
            Assert.Equal(a.Loss, b.Loss);
        }
    }

    [Theory]
    [InlineData(NetworkPrecision.Double)]
    [InlineData(NetworkPrecision.Single)]
    public void GsdePolicyUpdate_IsBitIdenticalForOneAndTwoThreads(NetworkPrecision precision)
    {
        // The Fisher product runs concurrently on row chunks; a head that kept per-row scratch in shared state would race
        // here (it did once), so repeat the two-thread run and demand the one-thread result every time.
        var a = Learn(Box.Uniform(-1, 1, 3), 11, 1024, One, useSde: true, precision);
        for (int repeat = 0; repeat < 5; repeat++)
        {
            var b = Learn(Box.Uniform(-1, 1, 3), 11, 1024, Two, useSde: true, precision);
            Assert.Equal(a.Theta, b.Theta);
            Assert.Equal(a.D, b.D);
        }
    }
}

/// <summary>Nothing is allocated on the caller or on the pool's workers once buffers exist.</summary>
[Collection(nameof(PerfCollection))]
public class PerfParallelAllocationTests
{
    [Theory]
    [InlineData(NetworkPrecision.Double)]
    [InlineData(NetworkPrecision.Single)]
    public void ChunkedPasses_AllocateNothingOnAnyThreadAfterWarmUp(NetworkPrecision precision)
    {
        const int Batch = 1024;
        using var pool = new ComputePool(2);
        var (net, x) = PerfParallelTests.Network(Activation.Tanh, 4, 2, Batch, 41, precision);
        var ws = net.CreateWorkspace(Batch);
        ws.Workers = pool;
        var u = new double[Batch * 2];
        var v = new double[net.ParameterCount];
        var g = new double[net.ParameterCount];
        void Run()
        {
            net.Forward(x, Batch, ws);
            net.Backward(x, u, ws, g, accumulate: false);
            net.ForwardTangent(x, v, ws);
        }
        Run();
        Run();
        // The pool counts its workers' allocations (per thread, so the test runner's own threads do not interfere).
        Assert.Equal(0, AllocationWindows.Smallest(pool.AllocatedBytesOfCallerAndWorkers, () =>
        {
            for (int i = 0; i < 20; i++)
            {
                Run();
            }
        }));
    }

    [Theory]
    [InlineData(NetworkPrecision.Double)]
    [InlineData(NetworkPrecision.Single)]
    public void PolicyUpdateAndValueFit_AllocateNothingOnAnyThreadAfterWarmUp(NetworkPrecision precision)
    {
        const int Batch = 1024;
        using var pool = new ComputePool(2);
        var rng = new Rng(51);
        var policy = new Policy(new Discrete(2), 4, [64, 64], Activation.Tanh, 0.0, rng.Split(1), precision: precision);
        var obs = new double[Batch * 4];
        rng.FillGaussian(obs);
        var actions = new double[Batch];
        policy.Act(obs, Batch, actions, new double[Batch], rng.Split(2), deterministic: false);
        var adv = new double[Batch];
        rng.FillGaussian(adv);
        var updater = new TrpoUpdater(policy, Batch, TrpoOptions.StableBaselines3) { Workers = pool };
        var value = new ValueFunction(4, [64, 64], Activation.Tanh, rng.Split(3), precision) { Workers = pool };
        var fit = new ValueFitOptions { Epochs = 2, MinibatchSize = 512 };
        var theta = policy.Parameters.ToArray();
        var fitRng = new Rng(52);
        void Run()
        {
            theta.CopyTo(policy.Parameters);
            updater.Update(obs, actions, adv, Batch);
            value.Fit(obs, adv, Batch, fit, fitRng);
        }
        Run();
        Run();
        Assert.Equal(0, AllocationWindows.Smallest(pool.AllocatedBytesOfCallerAndWorkers, () =>
        {
            Run();
            Run();
        }));
    }

    [Fact]
    public void AllocationCount_SeesAllocationsOnWorkers()
    {
        using var pool = new ComputePool(2);
        var job = new AllocatingJob();
        pool.Run(job, 8);
        long before = pool.AllocatedBytesOfCallerAndWorkers();
        pool.Run(job, 8);
        Assert.True(pool.AllocatedBytesOfCallerAndWorkers() - before >= 8 * 1000 * sizeof(double));
    }

    private sealed class AllocatingJob : IChunkJob
    {
        public object? Last;

        public void Execute(int chunk) => Last = new double[1000];
    }
}
