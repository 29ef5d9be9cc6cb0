using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace TrustRegion.Numerics;

/// <summary>One unit of parallel work: chunk <c>c</c> of a job split into a fixed number of independent chunks.</summary>
internal interface IChunkJob
{
    /// <summary>Runs chunk <paramref name="chunk"/>. Chunks of one job must touch disjoint outputs.</summary>
    void Execute(int chunk);
}

/// <summary>
/// A fixed set of long-lived worker threads on which the network passes run the row chunks of a batch.
/// </summary>
/// <remarks>
/// <para>Determinism does not depend on this pool: a batch is always split into the same chunks (fixed by its size, see
/// <see cref="RowChunks"/>), each chunk writes its own outputs and partial sums, and partial sums are reduced in chunk order
/// by the caller. Which thread runs a chunk therefore never changes a result, and a pool of one thread gives results
/// bit-identical to a pool of many.</para>
/// <para>The calling thread takes part in the work. A job started while another thread is running one on the same pool, or
/// from inside a chunk, runs inline on its caller (same chunks, same results). Running a job allocates nothing.</para>
/// </remarks>
public sealed class ComputePool : IDisposable
{
    private static readonly Lazy<ComputePool> SharedPool = new(() => new ComputePool(Math.Min(Environment.ProcessorCount, RowChunks.MaxChunks)));

    [ThreadStatic]
    private static bool t_insideChunk;

    [ThreadStatic]
    private static int t_workerSlot; // 1 + index of this pool thread in _allocated; 0 on other threads

    private readonly Thread[] _threads;
    private readonly long[] _allocated; // each worker's allocated-bytes count after its last chunk (for allocation tests)
    private readonly SemaphoreSlim _wake = new(0);
    private readonly object _runLock = new();

    // State word: generation in the high 32 bits, index of the next unclaimed chunk in the low 32 bits.
    private long _state;
    private IChunkJob? _job;
    private int _count;
    private int _done;
    private Exception? _error;
    private int _sleeping;
    private int _reserved; // threads held back by ReserveThread
    private int _workerSlots; // workers that may still join the current job
    private volatile bool _disposed;

    /// <summary>How long an idle worker spins for the next job before it sleeps (about 200 µs).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    /// <summary>Creates a pool that runs jobs on <paramref name="threads"/> threads in all (the caller plus threads − 1 workers).</summary>
    /// <param name="threads">Threads per job, 1 … 64; 1 runs every chunk on the caller.</param>
    /// <exception cref="ArgumentOutOfRangeException">threads is outside 1 … 64.</exception>
    public ComputePool(int threads)
    {
        if (threads < 1 || threads > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"threads is {threads}; it must be between 1 and 64.");
        }
        Threads = threads;
        _threads = new Thread[threads - 1];
        _allocated = new long[threads - 1];
        using var started = new CountdownEvent(_threads.Length);
        for (int i = 0; i < _threads.Length; i++)
        {
            int slot = i + 1;
            _threads[i] = new Thread(() =>
            {
                t_workerSlot = slot;
                Volatile.Write(ref _allocated[slot - 1], GC.GetAllocatedBytesForCurrentThread());
                started.Signal();
                WorkerLoop();
            })
            { IsBackground = true, Name = $"TrustRegion compute {slot}" };
            _threads[i].Start();
        }
        started.Wait(); // every worker has recorded its starting allocation count
    }

    /// <summary>
    /// The process-wide pool used by default: one thread per processor (at most <see cref="RowChunks.MaxChunks"/>, the largest
    /// number of chunks a batch is split into).
    /// </summary>
    public static ComputePool Shared => SharedPool.Value;

    /// <summary>Threads that run a job, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Stops the worker threads. Jobs started afterwards run on the caller alone.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_threads.Length > 0)
        {
            _wake.Release(_threads.Length); // spare permits are harmless: every waiter exits on waking
        }
    }

    /// <summary>
    /// Holds one thread back from this pool's jobs until the matching <see cref="ReleaseThread"/>: for a caller that keeps a core
    /// busy with work of its own beside them (the trainer's value fit beside the policy step), so that the two do not fight over
    /// the same cores. With two threads, jobs then run on their caller alone. Calls nest; results do not change (the chunks are
    /// the same whoever runs them).
    /// </summary>
    internal void ReserveThread() => Interlocked.Increment(ref _reserved);

    /// <summary>Ends one <see cref="ReserveThread"/>: the next job may use that thread again.</summary>
    internal void ReleaseThread()
    {
        int left = Interlocked.Decrement(ref _reserved);
        Debug.Assert(left >= 0, "ReleaseThread without ReserveThread");
    }

    /// <summary>Runs chunks 0 … <paramref name="chunks"/> − 1 of <paramref name="job"/> and returns when all are done.</summary>
    /// <exception cref="Exception">The first exception thrown by a chunk, rethrown on the caller.</exception>
    internal void Run(IChunkJob job, int chunks)
    {
        Debug.Assert(chunks >= 0);
        int workers = Math.Min(_threads.Length - Volatile.Read(ref _reserved), chunks - 1);
        if (workers <= 0 || _disposed || t_insideChunk || !Monitor.TryEnter(_runLock))
        {
            RunInline(job, chunks);
            return;
        }
        try
        {
            _job = job;
            _count = chunks;
            _error = null;
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _workerSlots, workers);
            long generation = (Volatile.Read(ref _state) >> 32) + 1;
            Volatile.Write(ref _state, generation << 32); // publishes the job: chunk index 0 of a new generation
            WakeSleepers(workers);
            Work(generation);
            var spin = default(SpinWait);
            while (Volatile.Read(ref _done) < chunks)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            _job = null;
            if (_error is { } e)
            {
                ExceptionDispatchInfo.Throw(e);
            }
        }
        finally
        {
            Monitor.Exit(_runLock);
        }
    }

    private static void RunInline(IChunkJob job, int chunks)
    {
        bool outer = t_insideChunk;
        t_insideChunk = true;
        try
        {
            for (int c = 0; c < chunks; c++)
            {
                job.Execute(c);
            }
        }
        finally
        {
            t_insideChunk = outer;
        }
    }

    /// <summary>
    /// Bytes allocated so far by the calling thread plus, up to the end of their last chunk, by this pool's workers: the difference
    /// over a span of jobs run from this thread counts every allocation those jobs made, whatever else the process does.
    /// </summary>
    internal long AllocatedBytesOfCallerAndWorkers()
    {
        long sum = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < _allocated.Length; i++)
        {
            sum += Volatile.Read(ref _allocated[i]);
        }
        return sum;
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (!_disposed)
        {
            // Passes come in quick succession (the conjugate-gradient loop, minibatch steps), so stay awake a little while
            // for the next job before sleeping: waking a sleeping thread costs more than a short pass.
            long start = Stopwatch.GetTimestamp();
            var spin = default(SpinWait);
            while (Volatile.Read(ref _state) >> 32 == seen && Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            long generation = Volatile.Read(ref _state) >> 32;
            if (generation != seen)
            {
                seen = generation;
                if (Interlocked.Decrement(ref _workerSlots) >= 0)
                {
                    Work(generation);
                    continue;
                }
                // This job wants fewer helpers (ReserveThread): leave the core to whoever holds it, and sleep until a job
                // that wants this thread wakes it, instead of spinning through every job of the reservation.
            }
            // Announce the sleep, then look once more: a job published in between that still wants a helper is either seen
            // here or wakes us.
            Interlocked.Increment(ref _sleeping);
            if (Volatile.Read(ref _state) >> 32 != seen && Volatile.Read(ref _workerSlots) > 0)
            {
                while (true)
                {
                    int v = Volatile.Read(ref _sleeping);
                    if (v == 0)
                    {
                        _wake.Wait(); // a caller took the announcement: its permit is on the way
                        break;
                    }
                    if (Interlocked.CompareExchange(ref _sleeping, v - 1, v) == v)
                    {
                        break;
                    }
                }
            }
            else
            {
                _wake.Wait();
            }
        }
    }

    /// <summary>Wakes up to <paramref name="count"/> sleeping workers, taking their announcements.</summary>
    private void WakeSleepers(int count)
    {
        while (true)
        {
            int v = Volatile.Read(ref _sleeping);
            int n = Math.Min(v, count);
            if (n == 0)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _sleeping, v - n, v) == v)
            {
                _wake.Release(n);
                return;
            }
        }
    }

    /// <summary>Claims and runs chunks of <paramref name="generation"/> until none is left (or a newer job has started).</summary>
    private void Work(long generation)
    {
        while (true)
        {
            long s = Volatile.Read(ref _state);
            if (s >> 32 != generation)
            {
                return;
            }
            // Read the job after the state: a successful claim below proves these belong to this generation, because the
            // caller replaces them only once every chunk of the generation is done.
            IChunkJob? job = _job;
            int count = _count;
            int chunk = (int)(s & 0xFFFF_FFFF);
            if (chunk >= count || job is null)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _state, s + 1, s) != s)
            {
                continue;
            }
            t_insideChunk = true;
            try
            {
                job.Execute(chunk);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            finally
            {
                t_insideChunk = false;
                if (t_workerSlot > 0)
                {
                    Volatile.Write(ref _allocated[t_workerSlot - 1], GC.GetAllocatedBytesForCurrentThread());
                }
                Interlocked.Increment(ref _done);
            }
        }
    }
}

/// <summary>
/// One thread of a <see cref="ComputePool"/> held back (<see cref="ComputePool.ReserveThread"/>) while two jobs run side by side,
/// the pool's jobs on one side and a single-threaded job beside them, and handed back once, by whichever side finishes first:
/// the side still running then has the whole pool. Allocated once and reused.
/// </summary>
internal sealed class ThreadReservation
{
    private ComputePool? _held;

    /// <summary>Holds one thread of <paramref name="pool"/> back until <see cref="Release"/>.</summary>
    public void Take(ComputePool pool)
    {
        Debug.Assert(Volatile.Read(ref _held) is null, "a reservation is already held");
        pool.ReserveThread();
        Volatile.Write(ref _held, pool);
    }

    /// <summary>Hands the thread back; later calls (the other side finishing) do nothing.</summary>
    public void Release() => Interlocked.Exchange(ref _held, null)?.ReleaseThread();
}

/// <summary>
/// How a batch of rows is split into chunks for parallel passes. The split depends on the batch size only (never on the
/// number of threads), so every result is the same on any number of threads.
/// </summary>
internal static class RowChunks
{
    /// <summary>Largest number of chunks a batch is split into.</summary>
    public const int MaxChunks = 8;

    /// <summary>Smallest chunk worth splitting off (rows).</summary>
    public const int MinRows = 64;

    /// <summary>Rows per chunk (a multiple of 8) for a batch of <paramref name="rows"/>; the last chunk may be shorter.</summary>
    public static int ChunkRows(int rows)
    {
        int count = Math.Clamp(rows / MinRows, 1, MaxChunks);
        int size = (rows + count - 1) / count;
        return (size + 7) & ~7;
    }

    /// <summary>Number of chunks for a batch of <paramref name="rows"/> (1 … <see cref="MaxChunks"/>; 0 for an empty batch).</summary>
    public static int Count(int rows)
    {
        if (rows <= 0)
        {
            return 0;
        }
        int size = ChunkRows(rows);
        return (rows + size - 1) / size;
    }
}
