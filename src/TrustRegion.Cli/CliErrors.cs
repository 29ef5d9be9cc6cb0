namespace TrustRegion.Cli;

/// <summary>Turns the expected failures of a command into one line on standard error and an exit code.</summary>
internal static class CliErrors
{
    /// <summary>
    /// Runs <paramref name="body"/>; invalid input (argument, state, I/O and data-format errors, including configuration and
    /// checkpoint errors) becomes <c>trpo COMMAND: message</c> on standard error and <see cref="ExitCodes.InvalidInput"/>. Anything else
    /// is a bug and propagates with its stack trace.
    /// </summary>
    internal static int Guard(CliConsole console, string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            console.Error.WriteLine($"trpo {command}: {OneLine(MessageOf(e))}");
            return ExitCodes.InvalidInput;
        }
    }

    /// <summary>The message for a person: an <see cref="ArgumentException"/>'s without the " (Parameter 'name')" .NET appends, which names a C# parameter the user never saw.</summary>
    internal static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } a && a.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? a.Message[..^$" (Parameter '{name}')".Length]
            : e.Message;

    /// <summary>Collapses a message onto one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
