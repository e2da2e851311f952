using System.CommandLine;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn replica --config FILE</c>: runs one replica in the foreground until SIGTERM or Ctrl+C.</summary>
internal static class ReplicaCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "The replica's deployment.config.", Required = true };
        var replica = new Command("replica", "Run one replica in the foreground (logs to stdout).") { config };
        replica.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = DeploymentConfigLoader.Load(parse.GetRequiredValue(config).FullName);
            await ReplicaServer.RunAsync(loaded, cancellationToken);
            return 0;
        });
        return replica;
    }
}
