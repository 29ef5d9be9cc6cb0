namespace TrustRegion.Envs;

/// <summary>
/// Long-lived threads that each run one fixed chunk of work per <see cref="Run"/>; the calling thread runs chunk 0.
/// No allocation per run: the work is one delegate created up front, and the hand-off uses a semaphore per worker and one countdown.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done;
    private readonly Action<int> _work;
    private volatile bool _stopping;

    /// <summary>Starts <paramref name="chunks"/> − 1 worker threads; <paramref name="work"/>(c) must not throw.</summary>
    public WorkerPool(int chunks, Action<int> work, string name)
    {
        _work = work;
        int workers = chunks - 1;
        _threads = new Thread[workers];
        _go = new SemaphoreSlim[workers];
        _done = new CountdownEvent(Math.Max(workers, 1));
        for (int k = 0; k < workers; k++)
        {
            _go[k] = new SemaphoreSlim(0);
            int chunk = k + 1;
            _threads[k] = new Thread(() => Loop(chunk)) { IsBackground = true, Name = $"{name} worker {chunk}" };
            _threads[k].Start();
        }
    }

    /// <summary>Runs every chunk once and returns when all have finished.</summary>
    public void Run()
    {
        _done.Reset(_threads.Length);
        for (int k = 0; k < _go.Length; k++)
        {
            _go[k].Release();
        }
        _work(0);
        if (_threads.Length > 0)
        {
            _done.Wait();
        }
    }

    private void Loop(int chunk)
    {
        SemaphoreSlim go = _go[chunk - 1];
        while (true)
        {
            go.Wait();
            if (_stopping)
            {
                return;
            }
            _work(chunk);
            _done.Signal();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (SemaphoreSlim go in _go)
        {
            go.Release();
        }
        foreach (Thread t in _threads)
        {
            t.Join();
        }
        foreach (SemaphoreSlim go in _go)
        {
            go.Dispose();
        }
        _done.Dispose();
    }
}
