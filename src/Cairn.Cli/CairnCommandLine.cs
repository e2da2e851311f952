using System.CommandLine;
using Cairn.Cli.Commands;
using Spectre.Console;

namespace Cairn.Cli;

/// <summary>The <c>cairn</c> command tree.</summary>
public static class CairnCommandLine
{
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
    /// stack trace (set CAIRN_DEBUG=1 to see one). The replica handles SIGTERM and SIGINT itself.</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error) =>
        CommandLineRunner.Run("cairn", Create(console), args, console, error, handlesSignals: ReplicaCommand.Name);
}
