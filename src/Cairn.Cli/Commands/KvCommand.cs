using System.CommandLine;
using System.Text;
using Cairn.Backup;
using Cairn.Client;
using Cairn.Ledger;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Kv;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn kv put|get</c>: one ordered write or read against a running cluster.</summary>
internal static class KvCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var kv = new Command("kv", "Write or read one key (UTF-8 text) through consensus.");
        kv.Subcommands.Add(CreatePut(console));
        kv.Subcommands.Add(CreateGet(console));
        return kv;
    }

    private static Command CreatePut(IAnsiConsole console)
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var value = new Argument<string>("value") { Description = "The value." };
        var cluster = CommonOptions.Cluster();
        var json = CommonOptions.JsonOutput();
        var put = new Command("put", "Write a value; returns once f+1 replicas confirm it is committed.")
        {
            key,
            value,
            cluster,
            json,
        };
        put.SetAction(
            async (parse, cancellationToken) =>
            {
                await using var client = Connect(parse.GetRequiredValue(cluster));
                var result = await client.PutAsync(
                    Encoding.UTF8.GetBytes(parse.GetRequiredValue(key)),
                    Encoding.UTF8.GetBytes(parse.GetRequiredValue(value)),
                    cancellationToken
                );
                if (parse.GetValue(json))
                {
                    CommonOptions.WriteJson(console, new { key = parse.GetValue(key), block = result.Block.Value });
                }
                else
                {
                    console.MarkupLineInterpolated($"ok: written in block {result.Block}");
                }

                return 0;
            }
        );
        return put;
    }

    private static Command CreateGet(IAnsiConsole console)
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var cluster = new Option<DirectoryInfo?>("--cluster")
        {
            Description = "The cluster directory made by 'cairn cluster init'.",
        };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description =
                "Read from this checkpoint (directory or archive), read-only, with no cluster running, "
                + "after checking its state against the certified last block.",
        };
        var json = CommonOptions.JsonOutput();
        var get = new Command(
            "get",
            "Read a value, ordered after every completed write, or as of a checkpoint (exit 3 when absent)."
        )
        {
            key,
            cluster,
            checkpoint,
            json,
        };
        get.Validators.Add(result =>
        {
            if ((result.GetValue(cluster) is null) == (result.GetValue(checkpoint) is null))
            {
                result.AddError("give exactly one of --cluster DIR and --checkpoint PATH");
            }
        });
        get.SetAction(
            async (parse, cancellationToken) =>
            {
                var keyBytes = Encoding.UTF8.GetBytes(parse.GetRequiredValue(key));
                byte[]? value;
                ulong block;
                if (parse.GetValue(checkpoint) is { } path)
                {
                    using var source = CheckpointSource.Open(path);
                    using var reader = RocksDbLedger.OpenReadOnly(source.Directory);
                    // Read only from state that is the certified one (re-hashed: O(state), like verify).
                    var metadata = CheckpointMetadata.Read(Path.Combine(source.Directory, CheckpointMetadata.FileName));
                    CertifiedState.Check(reader, metadata, ChainExtension.ReadFrom(source.Directory), source.Directory);
                    (value, block) = (reader.GetValue(keyBytes), reader.Head.LastBlockId.Value);
                }
                else
                {
                    await using var client = Connect(parse.GetValue(cluster)!);
                    var result = await client.GetAsync(keyBytes, cancellationToken);
                    (value, block) = (result.Value, result.Block.Value);
                }

                var text = value is null ? null : Encoding.UTF8.GetString(value);
                if (parse.GetValue(json))
                {
                    CommonOptions.WriteJson(
                        console,
                        new
                        {
                            key = parse.GetValue(key),
                            found = text is not null,
                            value = text,
                            block,
                        }
                    );
                }
                else if (text is null)
                {
                    console.WriteLine($"(absent) as of block {block}");
                }
                else
                {
                    console.Profile.Out.Writer.WriteLine(text);
                }

                return text is null ? AbsentExitCode : 0;
            }
        );
        return get;
    }

    /// <summary>Exit code of <c>kv get</c> for a key that is not there (not an error, but scripts want to
    /// know).</summary>
    private const int AbsentExitCode = 3;

    private static CairnClient Connect(DirectoryInfo cluster)
    {
        var layout = new ClusterLayout(cluster.FullName);
        // A random session so that two commands run at once do not compete for one client id's reply slot.
        return new CairnClient(
            ClientConfig.Load(layout.ClientConfig),
            Random.Shared.Next(1, ClientIdentity.SessionsPerKey)
        );
    }
}
