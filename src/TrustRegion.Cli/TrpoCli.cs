using System.CommandLine;
using System.CommandLine.Parsing;
using TrustRegion.Cli.Commands;

namespace TrustRegion.Cli;

/// <summary>
/// The <c>trpo</c> command line: parses, validates, and hands validated requests to an <see cref="ICliBackend"/>
/// (<c>plot</c> runs entirely here). Bad input gives one line on standard error naming the problem and the fix, and a
/// non-zero exit code (<see cref="ExitCodes"/>); no stack trace.
/// </summary>
public static class TrpoCli
{
    /// <summary>Runs the command line in-process, as the <c>trpo</c> executable does.</summary>
    /// <param name="args">The arguments after the executable name.</param>
    /// <param name="stdout">Standard output (results, help).</param>
    /// <param name="stderr">Standard error (problems).</param>
    /// <param name="backend">What train, resume, eval, envs and bench call.</param>
    /// <param name="time">Clock for the default run directory's timestamp; the system clock by default.</param>
    /// <param name="cancellation">Cancels a running command, as Ctrl-C does.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, ICliBackend backend, TimeProvider? time = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(backend);
        var console = new CliConsole(stdout, stderr);
        RootCommand root = Build(console, backend, time ?? TimeProvider.System);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            string command = CommandPath(parse.CommandResult);
            // The most useful error first: an unrecognised token beats the "required command" that follows from it.
            ParseError error = parse.UnmatchedTokens.Count > 0
                ? parse.Errors.FirstOrDefault(e => e.Message.Contains(parse.UnmatchedTokens[0], StringComparison.Ordinal)) ?? parse.Errors[0]
                : parse.Errors[0];
            string message = CliErrors.OneLine(error.Message);
            stderr.WriteLine($"{command}: {message}{(message.EndsWith('.') ? "" : ".")} Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return cancellation.CanBeCanceled
            ? parse.InvokeAsync(invocation, cancellation).GetAwaiter().GetResult()
            : parse.Invoke(invocation);
    }

    /// <summary>Builds the command tree.</summary>
    internal static RootCommand Build(CliConsole console, ICliBackend backend, TimeProvider time)
    {
        var root = new RootCommand("trpo: train, resume, evaluate and plot Trust Region Policy Optimization (TRPO) agents.")
        {
            TrainCommand.Create(console, backend, time),
            ResumeCommand.Create(console, backend),
            EvalCommand.Create(console, backend),
            EnvsCommand.Create(console, backend),
            PlotCommand.Create(console),
            BenchCommand.Create(console, backend, time),
        };
        return root;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c && c.Command is not RootCommand)
            {
                names.Insert(0, c.Command.Name);
            }
        }
        names.Insert(0, "trpo");
        return string.Join(' ', names);
    }
}
