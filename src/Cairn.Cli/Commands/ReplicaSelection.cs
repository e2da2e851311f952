using System.CommandLine;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Node.Maintenance;

namespace Cairn.Cli.Commands;

/// <summary>
/// The replica a command works on, named one of two ways, exactly one given: a replica of a cluster directory
/// (<c>--cluster DIR --replica N</c>), or the replica's own <c>deployment.config</c> on its host (<c>--config
/// FILE</c>, what <c>cairn replica --config FILE</c> runs; no cluster directory needed).
/// </summary>
internal sealed class ReplicaSelection
{
    private readonly bool _everyReplicaByDefault;

    /// <param name="replicaDescription">What <c>--replica</c> selects, for the help.</param>
    /// <param name="everyReplicaByDefault">With <c>--cluster</c> and no <c>--replica</c>, every replica of the
    /// cluster (else <c>--replica</c> is required with <c>--cluster</c>).</param>
    public ReplicaSelection(string replicaDescription, bool everyReplicaByDefault = false)
    {
        _everyReplicaByDefault = everyReplicaByDefault;
        Replica = new Option<int?>("--replica") { Description = replicaDescription + " (with --cluster)" };
    }

    public Option<DirectoryInfo?> Cluster { get; } =
        new("--cluster") { Description = "The cluster directory made by 'cairn cluster init' (or a host's bundle)." };

    public Option<int?> Replica { get; }

    public Option<FileInfo?> Config { get; } =
        new("--config")
        {
            Description =
                "The replica's deployment.config, on a host that has only that replica (instead of --cluster and "
                + "--replica).",
        };

    /// <summary>Adds the options to <paramref name="command"/> with the rules that tie them: exactly one of
    /// <c>--cluster</c>, <c>--config</c> and <paramref name="alternative"/> (another way to name one replica),
    /// <c>--replica</c> only with <c>--cluster</c>.</summary>
    public void AddTo(Command command, Option? alternative = null)
    {
        Option[] sources = alternative is null ? [Cluster, Config] : [Cluster, Config, alternative];
        foreach (var option in sources.Append(Replica))
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            var names = sources.Select(o => $"{o.Name} {o.HelpName ?? Placeholder(o)}").ToArray();
            if (sources.Count(o => result.GetResult(o) is not null) != 1)
            {
                result.AddError($"give exactly one of {string.Join(", ", names[..^1])} and {names[^1]}");
            }
            else if (result.GetResult(Replica) is not null && result.GetResult(Cluster) is null)
            {
                result.AddError(
                    $"--replica selects a replica of --cluster DIR; {string.Join(" or ", names[1..])} is one replica's "
                        + "already"
                );
            }
            else if (
                !_everyReplicaByDefault
                && result.GetResult(Cluster) is not null
                && result.GetResult(Replica) is null
            )
            {
                result.AddError("--cluster DIR needs --replica N: which replica of the cluster");
            }
        });
    }

    /// <summary>True when the replica is named by its <c>deployment.config</c>.</summary>
    public bool ByConfig(ParseResult parse) => parse.GetValue(Config) is not null;

    /// <summary>The replica named by <c>--config FILE</c>.</summary>
    public StandaloneReplica Standalone(ParseResult parse) => StandaloneReplica.Load(parse.GetValue(Config)!.FullName);

    /// <summary>The cluster directory of <c>--cluster DIR</c>.</summary>
    public ClusterLayout Layout(ParseResult parse) => new(parse.GetValue(Cluster)!.FullName);

    /// <summary>The replica's validated config, however it is named (<c>--cluster</c> needs <c>--replica</c>
    /// then).</summary>
    public DeploymentConfig LoadConfig(ParseResult parse) =>
        ByConfig(parse) ? Standalone(parse).Config : Layout(parse).LoadReplicaConfig(parse.GetValue(Replica)!.Value);

    private static string Placeholder(Option option) => option.ValueType == typeof(FileInfo) ? "FILE" : "DIR";
}
