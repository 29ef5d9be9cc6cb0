namespace TrustRegion.Cli;

/// <summary>The exit codes of <c>trpo</c> (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The input was understood but cannot be used: an invalid configuration, a missing or damaged file, an unknown environment.</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself is wrong: an unknown command or option, a missing argument, a value of the wrong type.</summary>
    public const int Usage = 2;

    /// <summary>The command is not available in this build.</summary>
    public const int NotAvailable = 3;

    /// <summary>Interrupted by Ctrl-C after saving a checkpoint (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
