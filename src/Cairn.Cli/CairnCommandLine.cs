using System.CommandLine;
using System.CommandLine.Parsing;
using Cairn.Cli.Commands;
using Cairn.Node.Hosting;
using Spectre.Console;

namespace Cairn.Cli;

/// <summary>The <c>cairn</c> command tree, and the one place where failures become a one-line message and an exit
/// code.</summary>
public static class CairnCommandLine
{
    /// <summary>Exit code of a command that failed for a reason it names (bad input, unreadable file, ...).</summary>
    public const int FailureExitCode = 1;

    /// <summary>Exit code of a command line that does not parse (unknown command, missing or wrong argument).</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code of <c>cairn replica</c> when the replica had started and stopped on an error while running
    /// (a replica that could not start exits with <see cref="FailureExitCode"/>; one stopped by SIGTERM or SIGINT with
    /// 0).</summary>
    public const int ReplicaFailedExitCode = 3;

    /// <summary>Builds the command tree; commands write their reports to <paramref name="console"/>.</summary>
    public static RootCommand Create(IAnsiConsole console)
    {
        var root = new RootCommand(
            "Cairn: a Byzantine-fault-tolerant replicated key-value ledger on RocksDB, with online checkpoint backups."
        );
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(ClusterCommand.Create(console));
        root.Subcommands.Add(ReplicaCommand.Create());
        root.Subcommands.Add(KvCommand.Create(console));
        root.Subcommands.Add(LoadCommand.Create(console));
        root.Subcommands.Add(OpCommand.Create(console));
        root.Subcommands.Add(CheckpointCommand.Create(console));
        root.Subcommands.Add(RestoreCommand.Create(console));
        root.Subcommands.Add(BackupCommand.Create(console));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>. Errors go to <paramref name="error"/> as one line, never a
    /// stack trace
    /// (set CAIRN_DEBUG=1 to see one).</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error)
    {
        var parse = Create(console).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"error: {Describe(parseError)}");
            }

            var command = parse.CommandResult.Command;
            var help = string.Join(' ', ["cairn", .. CommandPath(command), "--help"]);
            error.WriteLine($"usage: {Usage(command)} (see '{help}')");
            return UsageExitCode;
        }

        var invocation = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = console.Profile.Out.Writer,
            Error = error,
        };
        if (parse.CommandResult.Command.Name == ReplicaCommand.Name)
        {
            // The replica handles SIGTERM and SIGINT itself; the default handling would end the process 2 s after the
            // signal, whatever its shutdown was doing.
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
    /// parser would name the .NET type ("as expected type 'System.Int32'"), the operator needs the range.</summary>
    private static string Describe(ParseError parseError)
    {
        if (
            parseError.SymbolResult is OptionResult { Option: var option } result
            && WholeNumberRange(Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType) is var (min, max)
            && result.Tokens.FirstOrDefault(t => !Int128.TryParse(t.Value, out var n) || n < min || n > max) is { } bad
        )
        {
            return $"{option.Name} '{bad.Value}' is not a whole number from {min} to {max}";
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

    private static string Usage(Command command)
    {
        var parts = new List<string> { "cairn" };
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
