using System.CommandLine;
using System.Runtime.InteropServices;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn replica --config FILE</c>: runs one replica in the foreground until SIGTERM or Ctrl+C, then stops
/// cleanly (exit code 0); see <see cref="CommandLineRunner"/> for the other exit codes.</summary>
internal static class ReplicaCommand
{
    public const string Name = "replica";

    public static Command Create()
    {
        var config = new Option<FileInfo>("--config")
        {
            Description = "The replica's deployment.config.",
            Required = true,
        };
        var replica = new Command(
            Name,
            "Run one replica in the foreground (logs to stdout; SIGTERM or Ctrl+C stops it cleanly)."
        )
        {
            config,
        };
        replica.SetAction(
            async (parse, cancellationToken) =>
            {
                var loaded = DeploymentConfigLoader.Load(parse.GetRequiredValue(config).FullName);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                // The replica stops however long its shutdown takes (a checkpoint finalisation under way completes);
                // the
                // service manager's stop timeout, not this process, bounds it.
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopOn(stop));
                using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopOn(stop));
                await ReplicaServer.RunAsync(loaded, stop.Token);
                return 0;
            }
        );
        return replica;
    }

    private static Action<PosixSignalContext> StopOn(CancellationTokenSource stop) =>
        context =>
        {
            context.Cancel = true;
            stop.Cancel();
        };
}
