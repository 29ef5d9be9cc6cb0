namespace TrustRegion.Cli;

/// <summary>
/// The backend of this build, before the training loop and environment registry are linked into the command line:
/// every command that needs them says so in one line and exits with <see cref="ExitCodes.NotAvailable"/>.
/// </summary>
public sealed class PendingBackend : ICliBackend
{
    /// <inheritdoc/>
    public int Train(TrainRequest request, CliConsole console, CancellationToken cancellation) => Unavailable(console, "train");

    /// <inheritdoc/>
    public int Resume(ResumeRequest request, CliConsole console, CancellationToken cancellation) => Unavailable(console, "resume");

    /// <inheritdoc/>
    public int Evaluate(EvalRequest request, CliConsole console, CancellationToken cancellation) => Unavailable(console, "eval");

    /// <inheritdoc/>
    public int ListEnvironments(CliConsole console) => Unavailable(console, "envs");

    /// <inheritdoc/>
    public int Bench(BenchRequest request, CliConsole console, CancellationToken cancellation) => Unavailable(console, "bench");

    private static int Unavailable(CliConsole console, string command)
    {
        console.Error.WriteLine($"trpo {command}: not available in this build (the trainer is not linked in yet); 'trpo plot' works.");
        return ExitCodes.NotAvailable;
    }
}
