using System.CommandLine;
using System.Globalization;
using Cairn.Backup;
using Cairn.Core;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn checkpoint list|verify|inspect|export</c>: DB checkpoints on disk, read offline (no cluster needs
/// to run).</summary>
internal static class CheckpointCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command(
            "checkpoint",
            "List, verify, inspect and export DB checkpoints on disk (no running cluster needed)."
        );
        command.Subcommands.Add(CreateList(console));
        command.Subcommands.Add(CreateVerify(console));
        command.Subcommands.Add(CreateInspect(console));
        command.Subcommands.Add(CreateExport(console));
        return command;
    }

    /// <summary>The replicas' public keys from <c>--keys DIR</c> or the cluster directory's <c>keys/</c>.</summary>
    internal static ReplicaPublicKeys? LoadKeys(
        ParseResult parse,
        Option<DirectoryInfo?> keys,
        Option<DirectoryInfo?> cluster
    ) =>
        parse.GetValue(keys) is { } dir ? ReplicaPublicKeys.Load(dir.FullName)
        // Any bundle of the cluster holds keys/ (the operator's too, which has no replica folder).
        : parse.GetValue(cluster) is { } c ? ReplicaPublicKeys.Load(new ClusterLayout(c.FullName).KeysDirectory)
        : null;

    internal static Option<DirectoryInfo?> KeysOption() =>
        new("--keys") { Description = "A directory of the replicas' public keys (replica-N_pub.pem)." };

    internal static Option<DirectoryInfo?> OptionalCluster() =>
        new("--cluster") { Description = "The cluster directory (its keys/ folder holds the replicas' public keys)." };

    private static Command CreateList(IAnsiConsole console)
    {
        var replica = new ReplicaSelection("Only this replica", everyReplicaByDefault: true);
        var dataDir = new Option<DirectoryInfo?>("--data-dir")
        {
            Description =
                "One replica's data_dir, read locally with no cluster directory (checkpoints under the default "
                + "db_checkpoint_path).",
        };
        var json = CommonOptions.JsonOutput();
        var list = new Command("list", "Every replica's checkpoints on disk, and any incomplete ones.") { json };
        replica.AddTo(list, dataDir);
        list.SetAction(parse =>
        {
            List<ListRow> rows;
            if (parse.GetValue(dataDir) is { } data)
            {
                rows = [.. ListReplica(null, DataDirCheckpoints(data.FullName))];
            }
            else if (replica.ByConfig(parse))
            {
                var config = replica.Standalone(parse).Config;
                rows = [.. ListReplica(config.ReplicaId.Value, config.DbCheckpoints.Path)];
            }
            else
            {
                var layout = replica.Layout(parse).RequireCluster();
                var ids = parse.GetValue(replica.Replica) is { } one ? [one] : layout.ReplicaIds();
                rows = [.. ids.SelectMany(id => ListReplica(id, layout.LoadReplicaConfig(id).DbCheckpoints.Path))];
            }

            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(
                    console,
                    new
                    {
                        checkpoints = rows.Select(r => new
                        {
                            replica = r.Replica,
                            directory = r.Directory,
                            good = r.Metadata is not null,
                            problem = r.Problem,
                            id = r.Metadata?.Id.Value,
                            seqNum = r.Metadata?.SeqNum.Value,
                            lastBlockId = r.Metadata?.LastBlockId.Value,
                            lastBlockDigest = r.Metadata?.LastBlockDigest.ToHex(),
                            stateDigest = r.Metadata?.StateDigest.ToHex(),
                            createdAt = r.Metadata?.CreatedAt,
                            sizeBytes = r.Metadata?.SizeBytes,
                            signers = r.Metadata?.Certificate.Signers.Select(s => s.Value),
                            chainId = r.Metadata?.ChainId,
                        }),
                    }
                );
                return 0;
            }

            var table = new Table().AddColumns(
                "replica",
                "id",
                "seq",
                "state digest",
                "created (consensus time)",
                "size",
                "signers",
                ""
            );
            foreach (var r in rows)
            {
                if (r.Metadata is { } m)
                {
                    table.AddRow(
                        $"{r.Replica}",
                        $"{m.Id}",
                        $"{m.SeqNum}",
                        m.StateDigest.ToHex()[..16] + "…",
                        m.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                        CommonOptions.FormatBytes(m.SizeBytes),
                        string.Join(",", m.Certificate.Signers.Select(s => s.Value)),
                        "[green]complete[/]"
                    );
                }
                else
                {
                    table.AddRow(
                        $"{r.Replica}",
                        Markup.Escape(Path.GetFileName(r.Directory)),
                        "",
                        "",
                        "",
                        "",
                        "",
                        $"[red]{Markup.Escape(r.Problem!)}[/]"
                    );
                }
            }

            if (rows.Count == 0)
            {
                console.WriteLine("no checkpoints on disk");
            }
            else
            {
                console.Write(table);
            }

            return 0;
        });
        return list;
    }

    /// <summary>The checkpoint directory of the replica whose <c>data_dir</c> is <paramref name="dataDir"/>, at the
    /// default
    /// <c>db_checkpoint_path</c>; refuses a directory that holds no replica database.</summary>
    private static string DataDirCheckpoints(string dataDir)
    {
        if (!Directory.Exists(dataDir))
        {
            throw new DbCheckpointException(
                dataDir,
                "no such directory (give a replica's data_dir, e.g. <cluster>/replica-0/data)"
            );
        }

        var database = DeploymentConfig.RocksDbPathOf(dataDir);
        if (!File.Exists(Path.Combine(database, "CURRENT")))
        {
            throw new DbCheckpointException(
                dataDir,
                $"not a replica's data directory (no RocksDB database in {database}; give the data_dir of a replica's "
                    + $"deployment.config)"
            );
        }

        return Path.GetFullPath(new DbCheckpointSettings().Path, dataDir);
    }

    private static IEnumerable<ListRow> ListReplica(int? replica, string directory) =>
        DbCheckpointDirectory
            .Scan(directory, chainId: null)
            .Select(e => new ListRow(replica, e.Directory, e.Metadata, e.Problem));

    private static Command CreateVerify(IAnsiConsole console)
    {
        var path = new Argument<string>("path") { Description = "A checkpoint directory or an exported archive." };
        var keys = KeysOption();
        var cluster = OptionalCluster();
        var json = CommonOptions.JsonOutput();
        var verify = new Command(
            "verify",
            "Check a checkpoint: manifest, metadata, block hash chain, state digest and quorum certificate."
        )
        {
            path,
            keys,
            cluster,
            json,
        };
        verify.Validators.Add(result =>
        {
            if (result.GetValue(keys) is null && result.GetValue(cluster) is null)
            {
                result.AddError("give --keys DIR or --cluster DIR: the replicas' public keys check the certificate");
            }
        });
        verify.SetAction(parse =>
        {
            var replicaKeys = LoadKeys(parse, keys, cluster);
            var asJson = parse.GetValue(json);
            var report = ProgressDisplay.Run(
                console,
                asJson,
                "verifying",
                progress => VerifyPath(parse.GetRequiredValue(path), replicaKeys, progress)
            );
            if (asJson)
            {
                CommonOptions.WriteJson(
                    console,
                    new
                    {
                        path = report.Path,
                        passed = report.Passed,
                        checks = report.Checks.Select(c => new
                        {
                            name = c.Name,
                            passed = c.Passed,
                            detail = c.Detail,
                        }),
                        id = report.Metadata?.Id.Value,
                        seqNum = report.Metadata?.SeqNum.Value,
                        lastBlockDigest = report.Metadata?.LastBlockDigest.ToHex(),
                        stateDigest = report.Metadata?.StateDigest.ToHex(),
                    }
                );
            }
            else
            {
                PrintChecks(console, report);
            }

            report.ThrowIfFailed();
            if (!asJson)
            {
                console.MarkupInterpolated(
                    $"[green]verified[/]: checkpoint {report.Metadata!.Id} at seq {report.Metadata.SeqNum} "
                );
                console.MarkupLineInterpolated($"is the agreed state of chain '{report.Metadata.ChainId}'");
            }

            return 0;
        });
        return verify;
    }

    private static Command CreateInspect(IAnsiConsole console)
    {
        var path = new Argument<string>("path") { Description = "A checkpoint directory or an exported archive." };
        var keys = KeysOption();
        var cluster = OptionalCluster();
        var json = CommonOptions.JsonOutput();
        var inspect = new Command(
            "inspect",
            "What a checkpoint holds: chain, blocks, keys, size, digests, certificate signers (read-only)."
        )
        {
            path,
            keys,
            cluster,
            json,
        };
        inspect.SetAction(parse =>
        {
            var replicaKeys = LoadKeys(parse, keys, cluster);
            using var source = CheckpointSource.Open(parse.GetRequiredValue(path));
            var i = CheckpointInspector.Inspect(source.Directory, replicaKeys);
            var m = i.Metadata;
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(
                    console,
                    new
                    {
                        path = source.Path,
                        chainId = i.ChainId,
                        id = m.Id.Value,
                        seqNum = m.SeqNum.Value,
                        blocks = i.Blocks,
                        keys = i.Keys,
                        reservedKeys = i.ReservedKeys,
                        sizeBytes = i.SizeBytes,
                        lastBlockDigest = m.LastBlockDigest.ToHex(),
                        headDigest = i.HeadDigest.ToHex(),
                        stateDigest = m.StateDigest.ToHex(),
                        createdAt = m.CreatedAt,
                        epoch = m.Epoch,
                        signers = m.Certificate.Signers.Select(s => s.Value),
                        validSigners = i.ValidSigners,
                    }
                );
                return 0;
            }

            PrintInspection(console, source.Path, i);
            return 0;
        });
        return inspect;
    }

    /// <summary>Verifies a checkpoint directory or archive (unpacked into a scratch directory for the
    /// checks).</summary>
    internal static CheckpointVerification VerifyPath(
        string path,
        ReplicaPublicKeys? keys,
        IProgress<TransferProgress>? progress
    )
    {
        using var source = CheckpointSource.Open(path, progress: progress);
        return CheckpointVerifier.Verify(source.Directory, keys, requireManifest: source.IsArchive) with
        {
            Path = source.Path,
        };
    }

    /// <summary>Each check of a verification, passed, failed or not run.</summary>
    internal static void PrintChecks(IAnsiConsole console, CheckpointVerification report)
    {
        foreach (var check in report.Checks)
        {
            var mark = check.Passed switch
            {
                true => "[green]✓[/]",
                false => "[red]✗[/]",
                null => "[grey]-[/]",
            };
            console.MarkupLine($"{mark} {Markup.Escape(check.Name)}: {Markup.Escape(check.Detail)}");
        }
    }

    /// <summary>What a checkpoint holds, one row per fact.</summary>
    internal static void PrintInspection(IAnsiConsole console, string path, CheckpointInspection i)
    {
        var m = i.Metadata;
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => grid.AddRow(new Text(name), new Text(value));
        Row("path", path);
        Row("chain id", i.ChainId);
        Row("checkpoint id", $"{m.Id} (seq {m.SeqNum}, epoch {m.Epoch})");
        Row("created (consensus time)", m.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        Row("blocks", $"{i.Blocks}");
        Row("keys", $"{i.Keys} ({i.Keys - i.ReservedKeys} application, {i.ReservedKeys} reserved)");
        Row("size", $"{CommonOptions.FormatBytes(i.SizeBytes)} ({i.SizeBytes} bytes)");
        Row("last block digest", m.LastBlockDigest.ToHex());
        Row("state digest", m.StateDigest.ToHex());
        Row("certificate signers", string.Join(", ", m.Certificate.Signers.Select(s => s.Value)));
        Row(
            "valid signatures",
            i.ValidSigners is null ? "(give --keys or --cluster to check)" : $"[{string.Join(", ", i.ValidSigners)}]"
        );
        console.Write(grid);
    }

    private static Command CreateExport(IAnsiConsole console)
    {
        var replica = new ReplicaSelection("The replica whose checkpoint to export");
        var id = new Option<ulong>("--id")
        {
            Description = "The checkpoint id (see 'cairn checkpoint list').",
            Required = true,
        };
        var to = new Option<FileInfo>("--to")
        {
            Description = "The archive to write (must not exist).",
            Required = true,
        };
        var json = CommonOptions.JsonOutput();
        var export = new Command(
            "export",
            "Write a checkpoint as one self-describing archive (tar.gz with a SHA-256 manifest) for disaster recovery."
        )
        {
            id,
            to,
            json,
        };
        replica.AddTo(export);
        export.SetAction(parse =>
        {
            var config = replica.LoadConfig(parse);
            var target = parse.GetRequiredValue(to).FullName;
            var asJson = parse.GetValue(json);
            var manifest = ProgressDisplay.Run(
                console,
                asJson,
                "exporting",
                progress =>
                    CheckpointArchive.ExportPinned(
                        config.DbCheckpoints.Path,
                        new BlockId(parse.GetValue(id)),
                        target,
                        progress
                    )
            );
            var archiveBytes = new FileInfo(target).Length;
            if (asJson)
            {
                CommonOptions.WriteJson(
                    console,
                    new
                    {
                        archive = target,
                        files = manifest.Files.Count,
                        bytes = manifest.TotalBytes,
                        archiveBytes,
                    }
                );
            }
            else
            {
                console.MarkupInterpolated(
                    $"[green]✓[/] exported checkpoint {parse.GetValue(id)} of replica {config.ReplicaId.Value} "
                );
                console.MarkupInterpolated($"to {target}: {manifest.Files.Count} files, ");
                console.MarkupLineInterpolated(
                    $"{CommonOptions.FormatBytes(manifest.TotalBytes)} → {CommonOptions.FormatBytes(archiveBytes)}"
                );
            }

            return 0;
        });
        return export;
    }

    private sealed record ListRow(int? Replica, string Directory, CheckpointMetadata? Metadata, string? Problem);
}
