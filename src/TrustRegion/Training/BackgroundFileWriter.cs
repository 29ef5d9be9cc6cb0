using System.Runtime.ExceptionServices;

namespace TrustRegion.Training;

/// <summary>
/// Writes whole files on a background thread, so that the training loop hands over a checkpoint and carries on while the file
/// is assembled and the disk works (by default each write is <see cref="AtomicFile.WriteAllBytes(string, ReadOnlySpan{byte})"/>:
/// temporary file, fsync, rename).
/// </summary>
/// <remarks>
/// <para><b>Contents.</b> A write is handed over either as bytes or as a function producing them, called on the worker thread
/// just before the write (e.g. <see cref="CheckpointWriter.ToArray"/> of a checkpoint whose sections were copied when added:
/// assembling and hashing the file then happen off the caller's thread). Neither may depend on anything the caller changes
/// afterwards.</para>
/// <para><b>Order.</b> One worker thread performs the writes one at a time, in the order their paths were first handed over,
/// so writes to the same path land in the order they were made. A write whose path already has a write waiting (handed over,
/// not started) replaces that waiting write's bytes: the newer contents win, an older one never lands after a newer one.</para>
/// <para><b>Memory.</b> Each path holds at most two writes (the one being written and the one waiting); when
/// <see cref="Capacity"/> different paths are waiting, a hand-off waits until the worker starts one of them.</para>
/// <para><b>Failures.</b> An exception thrown by a write (or by producing its contents) is kept and rethrown, with its original
/// type and stack trace, on the caller's thread by the next hand-off or <see cref="Drain"/>, exactly once (the first one, when
/// several fail in between). Later writes still run.</para>
/// <para><b>Threads.</b> The worker is a background thread started when a write is handed over and ending as soon as nothing
/// is left to write; <see cref="Drain"/> waits for it to end, so after a drain no thread of this writer exists.</para>
/// </remarks>
internal sealed class BackgroundFileWriter
{
    /// <summary>Default number of different paths that may wait at once.</summary>
    internal const int DefaultCapacity = 4;

    private readonly object _gate = new();
    private readonly Action<string, byte[]> _write;
    private readonly Dictionary<string, Func<byte[]>> _waiting = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new(); // the paths in _waiting, oldest first
    private Thread? _worker;   // running, or null when idle
    private Thread? _unjoined; // the last worker started, until a drain has joined it
    private ExceptionDispatchInfo? _failure; // the first write failure not yet rethrown
    private int _completed, _coalesced;

    /// <summary>Creates a writer performing each write with <paramref name="write"/> (default: an atomic write).</summary>
    /// <param name="write">Writes the complete contents to a path; called on the worker thread, one call at a time.</param>
    /// <param name="capacity">Number of different paths that may wait at once, at least 1.</param>
    internal BackgroundFileWriter(Action<string, byte[]>? write = null, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _write = write ?? (static (path, contents) => AtomicFile.WriteAllBytes(path, contents));
        Capacity = capacity;
    }

    /// <summary>Number of different paths that may wait at once.</summary>
    internal int Capacity { get; }

    /// <summary>Writes performed so far (successful or not).</summary>
    internal int Completed
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>Writes replaced by a newer write to the same path before they started.</summary>
    internal int Coalesced
    {
        get
        {
            lock (_gate)
            {
                return _coalesced;
            }
        }
    }

    /// <summary>Whether a worker thread exists (running, or ended but not yet joined by <see cref="Drain"/>).</summary>
    internal bool HasThread
    {
        get
        {
            lock (_gate)
            {
                return _worker is not null || _unjoined is not null;
            }
        }
    }

    /// <summary>
    /// Hands <paramref name="contents"/> over to be written to <paramref name="path"/>; returns without waiting for the disk
    /// (unless <see cref="Capacity"/> other paths are waiting). The caller must not change <paramref name="contents"/> afterwards.
    /// </summary>
    /// <exception cref="Exception">An earlier write failed: its exception, rethrown here; this write is then not handed over.</exception>
    internal void Enqueue(string path, byte[] contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        Enqueue(path, () => contents);
    }

    /// <summary>
    /// Hands over a write to <paramref name="path"/> of the bytes <paramref name="contents"/> returns when the worker reaches it
    /// (not called at all if a newer write to the same path replaces this one first); returns as <see cref="Enqueue(string, byte[])"/>.
    /// </summary>
    /// <exception cref="Exception">An earlier write failed: its exception, rethrown here; this write is then not handed over.</exception>
    internal void Enqueue(string path, Func<byte[]> contents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(contents);
        ExceptionDispatchInfo? failure;
        lock (_gate)
        {
            failure = TakeFailure();
            if (failure is null)
            {
                while (!_waiting.ContainsKey(path) && _waiting.Count >= Capacity)
                {
                    Monitor.Wait(_gate);
                }
                if (_waiting.TryAdd(path, contents))
                {
                    _order.Enqueue(path);
                }
                else
                {
                    _waiting[path] = contents; // the waiting write has not started: the newer contents replace it
                    _coalesced++;
                }
                if (_worker is null)
                {
                    _unjoined?.Join(); // the previous worker has left its loop; make sure it has ended before starting another
                    _worker = new Thread(Work) { IsBackground = true, Name = "TrustRegion file writer" };
                    _unjoined = _worker;
                    _worker.Start();
                }
            }
        }
        failure?.Throw();
    }

    /// <summary>
    /// Waits until every write handed over so far has been performed and the worker thread has ended, then rethrows the first
    /// write failure not yet reported.
    /// </summary>
    /// <exception cref="Exception">A write failed: its exception, with its original type and stack trace.</exception>
    internal void Drain() => DrainAndTakeFailure()?.Throw();

    /// <summary>
    /// As <see cref="Drain"/>, but returns the first unreported write failure (now counted as reported) instead of throwing it:
    /// for a caller that is already propagating an exception of its own, which must not be hidden.
    /// </summary>
    internal ExceptionDispatchInfo? DrainAndTakeFailure()
    {
        Thread? worker;
        lock (_gate)
        {
            while (_worker is not null)
            {
                Monitor.Wait(_gate);
            }
            worker = _unjoined;
            _unjoined = null;
        }
        worker?.Join(); // it has left its loop: this returns at once
        lock (_gate)
        {
            return TakeFailure();
        }
    }

    private ExceptionDispatchInfo? TakeFailure()
    {
        ExceptionDispatchInfo? failure = _failure;
        _failure = null;
        return failure;
    }

    private void Work()
    {
        while (true)
        {
            string path;
            Func<byte[]> contents;
            lock (_gate)
            {
                if (_order.Count == 0)
                {
                    _worker = null;
                    Monitor.PulseAll(_gate); // a drain may be waiting
                    return;
                }
                path = _order.Dequeue();
                _waiting.Remove(path, out contents!);
                Monitor.PulseAll(_gate); // a hand-off waiting for capacity may proceed
            }
            ExceptionDispatchInfo? failure = null;
            try
            {
                _write(path, contents());
            }
#pragma warning disable CA1031 // Every failure is carried to the caller's thread and rethrown there; none is swallowed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            lock (_gate)
            {
                _completed++;
                _failure ??= failure;
            }
        }
    }
}
