using System.CommandLine;
using System.CommandLine.Parsing;
using Cairn.Cli.Commands;
using Cairn.Node.Hosting;
using Spectre.Console;

namespace Cairn.Cli;

/// <summary>Runs a command tree (<c>cairn</c>'s or <c>cairn-op</c>'s): the one place where failures become a one-line
/// message and an exit code. Compiled into both programs (src/Cairn.OperatorTool links this file).</summary>
public static class CommandLineRunner
{
    /// <summary>Exit code of a command that failed for a reason it names (bad input, unreadable file, ...).</summary>
    public const int FailureExitCode = 1;

    /// <summary>Exit code of a command line that does not parse (unknown command, missing or wrong argument).</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code of <c>cairn replica</c> when the replica had started and stopped on an error while running
    /// (a replica that could not start exits with <see cref="FailureExitCode"/>; one stopped by SIGTERM or SIGINT with
    /// 0).</summary>
    public const int ReplicaFailedExitCode = 3;

    /// <summary>The process's console. Redirected output has no terminal width: a wide one is used so tables and
    /// digests are not wrapped for scripts and logs.</summary>
    public static IAnsiConsole StandardConsole()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Profile.Width = 200;
        }

        return AnsiConsole.Console;
    }

    /// <summary>Parses and runs <paramref name="args"/> with <paramref name="root"/>. Errors go to
    /// <paramref name="error"/> as one line, never a stack trace (set CAIRN_DEBUG=1 to see one); usage lines name
    /// <paramref name="tool"/>. The command named <paramref name="handlesSignals"/> handles SIGTERM and SIGINT
    /// itself.</summary>
    public static int Run(
        string tool,
        RootCommand root,
        string[] args,
        IAnsiConsole console,
        TextWriter error,
        string? handlesSignals = null
    )
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"error: {Describe(parseError)}");
            }

            var command = parse.CommandResult.Command;
            var help = string.Join(' ', [tool, .. CommandPath(command), "--help"]);
            error.WriteLine($"usage: {Usage(tool, command)} (see '{help}')");
            return UsageExitCode;
        }

        var invocation = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = console.Profile.Out.Writer,
            Error = error,
        };
        if (parse.CommandResult.Command.Name == handlesSignals)
        {
            // The default handling would end the process 2 s after the signal, whatever its shutdown was doing.
            invocation.ProcessTerminationTimeout = null;
        }

        try
        {
            return parse.Invoke(invocation);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error.WriteLine($"error: {OneLine(e)}");
            if (Environment.GetEnvironmentVariable("CAIRN_DEBUG") == "1")
            {
                error.WriteLine(e.ToString());
            }

            return Unwrap(e) is ReplicaFailedException ? ReplicaFailedExitCode : FailureExitCode;
        }
    }

    /// <summary>The parser's message, except for a value that is not a whole number where one is expected: the
    /// parser would name the .NET type ("as expected type 'System.Int32'"), the operator needs the range (the one the
    /// option accepts, where it has one: <see cref="CommonOptions.Bound"/>).</summary>
    private static string Describe(ParseError parseError)
    {
        if (
            parseError.SymbolResult is OptionResult { Option: var option } result
            && WholeNumberRange(Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType) is var (min, max)
            && result.Tokens.FirstOrDefault(t => !Int128.TryParse(t.Value, out var n) || n < min || n > max) is { } bad
        )
        {
            var (from, to) = CommonOptions.BoundOf(option) is var (low, high)
                ? ((Int128)low, (Int128)high)
                : (min, max);
            return $"{option.Name} '{bad.Value}' is not a whole number from {from} to {to}";
        }

        return parseError.Message.ReplaceLineEndings(" ");
    }

    private static (Int128 Min, Int128 Max)? WholeNumberRange(Type type) =>
        type == typeof(int) ? (int.MinValue, int.MaxValue)
        : type == typeof(long) ? (long.MinValue, long.MaxValue)
        : type == typeof(ulong) ? (ulong.MinValue, ulong.MaxValue)
        : null;

    private static string OneLine(Exception e) => Unwrap(e).Message.ReplaceLineEndings(" ");

    private static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;

    private static string[] CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (
            Symbol? symbol = command;
            symbol is Command { Parents: var parents } current && current is not RootCommand;
            symbol = parents.FirstOrDefault()
        )
        {
            names.Push(current.Name);
        }

        return [.. names];
    }

    private static string Usage(string tool, Command command)
    {
        var parts = new List<string> { tool };
        parts.AddRange(CommandPath(command));
        parts.AddRange(command.Arguments.Select(a => $"<{a.Name}>"));
        parts.AddRange(command.Options.Where(o => o.Required).Select(o => $"{o.Name} <{o.Name.TrimStart('-')}>"));
        if (command.Options.Any(o => !o.Required && o.Name is not "--help" and not "-h" and not "-?"))
        {
            parts.Add("[options]");
        }

        return string.Join(' ', parts);
    }
}
