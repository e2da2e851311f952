using System.CommandLine;
using Cairn.Cli;
using Cairn.Cli.Commands;
using Spectre.Console;

namespace Cairn.OperatorTool;

/// <summary>The <c>cairn-op</c> command tree: the commands of <c>cairn op</c>, at the top (<c>cairn-op dbCheckpoint
/// create</c> is <c>cairn op dbCheckpoint create</c>).</summary>
public static class OperatorToolCommandLine
{
    /// <summary>The program's name, in usage lines.</summary>
    public const string Name = "cairn-op";

    /// <summary>Builds the command tree; commands write their reports to <paramref name="console"/>.</summary>
    public static RootCommand Create(IAnsiConsole console)
    {
        var root = new RootCommand($"Cairn's operator tool, the commands of 'cairn op'. {OpCommand.Description}");
        OpCommand.AddTo(root, console);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; errors as <c>cairn</c> reports them.</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error) =>
        CommandLineRunner.Run(Name, Create(console), args, console, error);
}
