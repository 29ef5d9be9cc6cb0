using TrustRegion.Numerics;

namespace TrustRegion.Networks;

/// <summary>
/// The forward-only workspaces of one network, chosen by batch size (<see cref="Mlp.CreateInferenceWorkspace"/>): one in double
/// for batches of up to <see cref="Mlp.SmallBatchRows"/> rows, and one in the network's precision, grown to the largest batch
/// seen above that. Both are made on first use and then reused, so inference allocates nothing afterwards.
/// </summary>
internal sealed class InferenceWorkspaces(Mlp network)
{
    private MlpWorkspace? _small, _large;
    private ComputePool _workers = ComputePool.Shared;

    /// <summary>Threads that run the row chunks of both workspaces' passes.</summary>
    public ComputePool Workers
    {
        get => _workers;
        set
        {
            _workers = value;
            if (_small is not null)
            {
                _small.Workers = value;
            }
            if (_large is not null)
            {
                _large.Workers = value;
            }
        }
    }

    /// <summary>The workspace for a forward pass over <paramref name="n"/> rows.</summary>
    public MlpWorkspace For(int n)
    {
        if (n <= Mlp.SmallBatchRows)
        {
            return _small ??= Create(Mlp.SmallBatchRows);
        }
        if (_large is null || _large.MaxBatch < n)
        {
            _large = Create(n);
        }
        return _large;
    }

    private MlpWorkspace Create(int maxBatch)
    {
        MlpWorkspace ws = network.CreateInferenceWorkspace(maxBatch);
        ws.Workers = _workers;
        return ws;
    }
}
