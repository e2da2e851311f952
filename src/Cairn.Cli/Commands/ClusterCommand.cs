using System.CommandLine;
using System.Globalization;
using Cairn.Client;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Grpc;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn cluster ...</c>: create and run a local cluster.</summary>
internal static class ClusterCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cluster = new Command("cluster", "Create and run a local cluster of replica processes on loopback.");
        cluster.Subcommands.Add(CreateInit(console));
        cluster.Subcommands.Add(CreateUp(console));
        cluster.Subcommands.Add(CreateDown(console));
        cluster.Subcommands.Add(CreateStatus(console));
        cluster.Subcommands.Add(CreateRestore(console));
        return cluster;
    }

    private static Option<DirectoryInfo> DirOption() =>
        new("--dir") { Description = "The cluster directory made by 'cairn cluster init'.", Required = true };

    private static Command CreateUp(IAnsiConsole console)
    {
        var dir = DirOption();
        var timeout = CommonOptions.TimeoutSeconds("Seconds to wait for every replica to be healthy.", 60);
        var up = new Command("up", "Start every replica in the background; returns when all are healthy.")
        {
            dir,
            timeout,
        };
        up.SetAction(
            async (parse, cancellationToken) =>
            {
                var runner = Runner(parse.GetRequiredValue(dir));
                var replicas = await runner.UpAsync(TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
                foreach (var replica in replicas)
                {
                    console.MarkupLineInterpolated(
                        $"[green]✓[/] replica {replica.Id}: pid {replica.Pid}, port {replica.Port}, healthy"
                    );
                }

                return 0;
            }
        );
        return up;
    }

    private static Command CreateDown(IAnsiConsole console)
    {
        var dir = DirOption();
        var down = new Command("down", "Stop every replica (SIGTERM, then SIGKILL after 10 s).") { dir };
        down.SetAction(
            async (parse, cancellationToken) =>
            {
                var stopped = await Runner(parse.GetRequiredValue(dir))
                    .DownAsync(TimeSpan.FromSeconds(10), cancellationToken);
                console.WriteLine(
                    stopped.Count == 0 ? "no replica was running" : $"stopped replicas {string.Join(", ", stopped)}"
                );
                return 0;
            }
        );
        return down;
    }

    private static Command CreateStatus(IAnsiConsole console)
    {
        var dir = DirOption();
        var json = CommonOptions.JsonOutput();
        var status = new Command("status", "Each replica's process, view, progress and health.") { dir, json };
        status.SetAction(
            async (parse, cancellationToken) =>
            {
                var layout = new ClusterLayout(parse.GetRequiredValue(dir).FullName);
                var processes = await Runner(parse.GetRequiredValue(dir)).StatusAsync(cancellationToken);
                var endpoints = ClientConfig.Load(layout.ClientConfig).Replicas;
                var rows = await Task.WhenAll(
                    processes.Select(async p =>
                        (
                            Process: p,
                            Status: p.Pid is null
                                ? null
                                : await ReplicaAdmin.StatusAsync(
                                    endpoints[p.Id],
                                    TimeSpan.FromSeconds(5),
                                    cancellationToken
                                )
                        )
                    )
                );
                if (parse.GetValue(json))
                {
                    CommonOptions.WriteJson(
                        console,
                        new
                        {
                            replicas = rows.Select(r => new
                            {
                                replica = r.Process.Id,
                                pid = r.Process.Pid,
                                port = r.Process.Port,
                                healthy = r.Process.Healthy,
                                view = r.Status?.View,
                                primary = r.Status?.Primary,
                                viewActive = r.Status?.ViewActive,
                                viewComplaints = r.Status?.ViewComplaints,
                                lastExecutedSeq = r.Status?.LastExecutedSeq,
                                lastStableSeq = r.Status?.LastStableSeq,
                                lastBlockId = r.Status?.LastBlockId,
                                lastBlockDigest = r.Status?.LastBlockDigest,
                                epoch = r.Status?.Epoch,
                            }),
                        }
                    );
                    return 0;
                }

                var table = new Table().AddColumns(
                    "replica",
                    "pid",
                    "port",
                    "view",
                    "primary",
                    "complaints",
                    "last executed",
                    "last stable",
                    "last block",
                    "digest",
                    "epoch",
                    "health"
                );
                foreach (var (process, replica) in rows)
                {
                    table.AddRow(
                        $"{process.Id}",
                        process.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        $"{process.Port}",
                        replica?.View.ToString(CultureInfo.InvariantCulture) ?? "-",
                        replica?.Primary.ToString(CultureInfo.InvariantCulture) ?? "-",
                        Complaints(replica),
                        replica?.LastExecutedSeq.ToString(CultureInfo.InvariantCulture) ?? "-",
                        replica?.LastStableSeq.ToString(CultureInfo.InvariantCulture) ?? "-",
                        replica?.LastBlockId.ToString(CultureInfo.InvariantCulture) ?? "-",
                        replica is null ? "-" : replica.LastBlockDigest[..16],
                        replica?.Epoch.ToString(CultureInfo.InvariantCulture) ?? "-",
                        process.Pid is null ? "[grey]stopped[/]"
                            : process.Healthy ? "[green]healthy[/]"
                            : "[red]unhealthy[/]"
                    );
                }

                console.Write(table);
                return 0;
            }
        );
        return status;
    }

    /// <summary>How many replicas asked to leave the replica's view, and whether it is changing views.</summary>
    private static string Complaints(ReplicaStatus? replica) =>
        replica is null ? "-"
        : replica.ViewActive ? replica.ViewComplaints.ToString(CultureInfo.InvariantCulture)
        : "view change";

    private static Command CreateRestore(IAnsiConsole console)
    {
        var dir = DirOption();
        var from = new Option<string>("--from")
        {
            Description = "A checkpoint directory or exported archive of this cluster's chain.",
            Required = true,
        };
        var json = CommonOptions.JsonOutput();
        var restore = new Command(
            "restore",
            "Disaster recovery: restore every replica of the stopped cluster from one checkpoint of its chain; "
                + "'cluster up' then starts a new consensus generation there."
        )
        {
            dir,
            from,
            json,
        };
        restore.SetAction(parse =>
        {
            var runner = Runner(parse.GetRequiredValue(dir));
            var asJson = parse.GetValue(json);
            var result = ProgressDisplay.Run(
                console,
                asJson,
                "restoring every replica",
                progress =>
                    new ReplicaMaintenance(runner).RestoreCluster(
                        Path.GetFullPath(parse.GetRequiredValue(from)),
                        progress
                    )
            );
            var m = result.Checkpoint;
            if (asJson)
            {
                CommonOptions.WriteJson(
                    console,
                    new
                    {
                        id = m.Id.Value,
                        seqNum = m.SeqNum.Value,
                        lastBlockDigest = m.LastBlockDigest.ToHex(),
                        stateDigest = m.StateDigest.ToHex(),
                        generation = result.Generation.Nonce.ToHex(),
                        replicas = result.Replicas.Select(r => new
                        {
                            replica = r.Replica,
                            previousSeqNum = r.PreviousHead?.LastSeqNum.Value,
                            wasAhead = r.WasAhead,
                            database = r.Restore.DatabaseDirectory,
                            oldDatabase = r.Restore.OldDatabase,
                        }),
                    }
                );
                return 0;
            }

            foreach (var check in result.Verification.Checks.Where(c => c.Passed is true))
            {
                console.MarkupLineInterpolated($"[green]✓[/] {check.Name}: {check.Detail}");
            }

            foreach (var replica in result.Replicas)
            {
                var before = replica.PreviousHead is { } head
                    ? $"was at seq {head.LastSeqNum}{(replica.WasAhead ? ", ahead of the checkpoint" : "")}"
                    : "had no readable database";
                console.MarkupLineInterpolated(
                    $"[green]✓[/] replica {replica.Replica}: reset to checkpoint {m.Id} (seq {m.SeqNum}); {before}"
                );
                if (replica.Restore.OldDatabase is { } old)
                {
                    console.MarkupLineInterpolated($"    its database is kept aside in {old}");
                }
            }

            if (result.Replicas.Any(r => r.WasAhead))
            {
                console.MarkupLine(
                    "[yellow]![/] what replicas executed after the checkpoint is not part of the restored chain: the "
                        + "new generation starts at the checkpoint on every replica"
                );
            }

            var generation = result.Generation.Nonce.ToHex()[..16];
            console.MarkupLineInterpolated(
                $"  new consensus generation {generation} from seq {m.SeqNum}: nothing signed before the loss verifies"
            );
            console.MarkupLineInterpolated($"  start it: 'cairn cluster up --dir {runner.Layout.Directory}'");
            return 0;
        });
        return restore;
    }

    private static ClusterRunner Runner(DirectoryInfo dir) =>
        new(new ClusterLayout(dir.FullName), CommonOptions.SelfCommand());

    private static Command CreateInit(IAnsiConsole console)
    {
        var dir = new Option<DirectoryInfo>("--dir")
        {
            Description = "The cluster directory to create (must not exist or be empty).",
            Required = true,
        };
        var replicas = new Option<int?>("--replicas")
        {
            Description = "Number of replicas, n = 3f + 1 (default: one per address given, else 4).",
        };
        var hosts = new Option<string?>("--hosts")
        {
            Description =
                "The replicas' addresses in id order, host:port,... (port optional: base-port + id); writes one "
                + "bundle per host under DIR/bundles.",
        };
        var basePort = new Option<int>("--base-port")
        {
            Description =
                "Replica i listens on base-port + i (unless its address names a port), its metrics on its "
                + "port + 100.",
            DefaultValueFactory = _ => 7100,
        };
        var descriptor = new Option<FileInfo?>("--descriptor")
        {
            Description =
                "An infrastructure_descriptor.json (NUM_DB_SNAPSHOTS sets num_of_rocksdbcheckpoints; replicas[]."
                + "providedIp the replicas' addresses).",
        };
        var fromCheckpoint = new Option<string?>("--from-checkpoint")
        {
            Description = "Start a new chain whose genesis state is this checkpoint's (directory or archive).",
        };
        var keys = new Option<DirectoryInfo?>("--keys")
        {
            Description = "The source cluster's replica public keys, to check the checkpoint's certificate.",
        };
        var init = new Command("init", "Write keys and configs for a new local cluster.")
        {
            dir,
            replicas,
            hosts,
            basePort,
            descriptor,
            fromCheckpoint,
            keys,
        };
        init.SetAction(parse =>
        {
            var options = new ClusterInitOptions(
                parse.GetRequiredValue(dir).FullName,
                parse.GetValue(replicas),
                parse.GetValue(basePort),
                parse.GetValue(descriptor)?.FullName,
                parse.GetValue(hosts) is { } list ? ReplicaAddress.ParseList(list) : null
            );
            var seeded = parse.GetValue(fromCheckpoint) is { } path
                ? ClusterInitializer.InitializeFromCheckpoint(options, path, parse.GetValue(keys)?.FullName)
                : null;
            var layout = seeded?.Layout ?? ClusterInitializer.Initialize(options);
            var bundled = layout.ReplicaIds().Count == 0;
            var configs = layout.AllReplicaConfigs();
            console.MarkupLineInterpolated(
                $"Created a cluster of {configs.Count} replicas in [bold]{layout.Directory}[/]"
            );
            if (seeded is { ChainId: var chain, Source: var metadata })
            {
                console.MarkupInterpolated(
                    $"  new chain '{chain}': genesis state = checkpoint {metadata.Id} of chain '{metadata.ChainId}' "
                );
                console.MarkupLineInterpolated($"(state digest {metadata.StateDigest.ToHex()[..16]}…)");
                if (!seeded.CertificateChecked)
                {
                    console.MarkupLine(
                        "  [yellow]the checkpoint's certificate was not checked (give --keys DIR of the source "
                            + "cluster)[/]"
                    );
                }
            }

            if (bundled)
            {
                foreach (var (id, configPath) in configs.Index())
                {
                    var config = DeploymentConfigLoader.Load(configPath);
                    console.WriteLine(
                        $"  replica {id} ({config.Self.Host}:{config.Self.Port}): copy "
                            + $"{layout.ReplicaBundle(id).Directory} to its host"
                    );
                }

                console.WriteLine($"  operator: copy {layout.OperatorBundle.Directory} to the operator's host");
                console.WriteLine($"  clients: copy {layout.ClientBundle.Directory} to the clients' hosts");
                return 0;
            }

            foreach (var (id, configPath) in configs.Index())
            {
                console.WriteLine($"  replica {id}: {configPath}");
            }

            console.WriteLine(
                $"  operator key: {layout.OperatorPrivateKey} (keep it safe: it signs operator commands)"
            );
            return 0;
        });
        return init;
    }
}
