using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Backup;
using Cairn.Client;
using Cairn.FaultTests.Network;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Grpc;

namespace Cairn.FaultTests.Cluster;

/// <summary>
/// A real 4-replica cluster of <c>cairn replica</c> processes on loopback whose every replica-to-replica and
/// client-to-replica connection runs through a <see cref="FaultNetwork"/> proxy: each replica's config names its
/// peers at proxy ports (its own entry stays its real port, which it binds). The test observes the replicas directly
/// (admin status, files on disk), never through the proxies. Disposing kills every process and removes the files,
/// unless <c>CAIRN_FAULTS_KEEP=1</c> (then the directory and its replica logs are left for inspection).
/// </summary>
internal sealed partial class FaultCluster : IAsyncDisposable
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(2);

    private FaultCluster(string root, int basePort, int seed, IReadOnlyDictionary<string, string> configChanges)
    {
        Root = root;
        Layout = ClusterInitializer.Initialize(new ClusterInitOptions(Path.Combine(root, "cluster"), Replicas: 4, BasePort: basePort));
        Network = new FaultNetwork(4, basePort, seed);
        foreach (var id in Layout.ReplicaIds())
        {
            RewriteConfig(Layout.ReplicaConfig(id), id, configChanges);
        }

        Runner = new ClusterRunner(Layout, CairnCommand);
        Direct = Cairn.Client.ClientConfig.Load(Layout.ClientConfig);
        ClientConfig = Direct with
        {
            Replicas = [.. Direct.Replicas.Select(r => r with { Port = Network.ClientPort(r.Id.Value) })],
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>How the replicas run: <c>dotnet cairn.dll</c> from the test's output directory.</summary>
    public static IReadOnlyList<string> CairnCommand { get; } = ["dotnet", Path.Combine(AppContext.BaseDirectory, "cairn.dll")];

    /// <summary>The settings every fault cluster runs with: a DB checkpoint at every consensus checkpoint boundary at
    /// least 3 s after the previous one, so scenarios see checkpoints taken, retained and deleted under faults.</summary>
    public static IReadOnlyDictionary<string, string> DefaultSettings { get; } = new Dictionary<string, string>
    {
        ["db_checkpoint_duration"] = "3",
        ["dbcheckpoint_window"] = "150",
        ["num_of_rocksdbcheckpoints"] = "3",
        ["view_change_timer_millisec"] = "3000",
    };

    public string Root { get; }

    public ClusterLayout Layout { get; }

    public ClusterRunner Runner { get; }

    public FaultNetwork Network { get; }

    /// <summary>The client's config with every replica reached through its client proxy.</summary>
    public ClientConfig ClientConfig { get; }

    /// <summary>The client's config with the replicas' real ports, for observing them past any fault.</summary>
    public ClientConfig Direct { get; }

    public int Replicas => Network.Replicas;

    /// <summary>Creates and starts a cluster on <paramref name="basePort"/> (see <see cref="FaultNetwork"/> for the proxy ports).</summary>
    public static async Task<FaultCluster> StartAsync(int basePort, int seed, IReadOnlyDictionary<string, string>? configChanges = null)
    {
        var settings = new Dictionary<string, string>(DefaultSettings);
        foreach (var (key, value) in configChanges ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var cluster = new FaultCluster(Directory.CreateTempSubdirectory("cairn-faults-").FullName, basePort, seed, settings);
        try
        {
            await cluster.Runner.UpAsync(TimeSpan.FromSeconds(120));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Every replica's status from its admin API on its real port (null for one that does not answer).</summary>
    public async Task<ReplicaStatus?[]> StatusesAsync() =>
        await Task.WhenAll(Direct.Replicas.Select(r => ReplicaAdmin.StatusAsync(r, StatusTimeout)));

    /// <summary>Waits until <paramref name="condition"/> holds for the statuses, failing with the last ones seen.</summary>
    public async Task<ReplicaStatus?[]> WaitForAsync(Func<ReplicaStatus?[], bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await StatusesAsync();
            if (condition(statuses))
            {
                return statuses;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s ({Describe(statuses)})");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>One line per replica: view, executed sequence number, last block and its digest.</summary>
    public static string Describe(ReplicaStatus?[] statuses) =>
        string.Join("; ", statuses.Select((s, i) => s is null
            ? $"replica {i}: down"
            : string.Create(CultureInfo.InvariantCulture, $"replica {i}: view {s.View}, executed {s.LastExecutedSeq}, block {s.LastBlockId}, digest {s.LastBlockDigest[..Math.Min(12, s.LastBlockDigest.Length)]}")));

    /// <summary>kill -9 of one replica, waiting until the process is gone.</summary>
    public Task KillAsync(int id) => Runner.StopReplicaAsync(id, kill: true, TimeSpan.FromSeconds(10));

    /// <summary>Starts one replica and waits until its admin API answers.</summary>
    public async Task StartReplicaAsync(int id, TimeSpan timeout)
    {
        Runner.StartReplica(id);
        await WaitForAsync(s => s[id] is not null, timeout, $"replica {id} answering after its start");
    }

    /// <summary>Waits until every replica is up and all have executed the same last block with the same digest.</summary>
    public Task<ReplicaStatus?[]> WaitConvergedAsync(TimeSpan timeout) =>
        WaitForAsync(s => s.All(x => x is not null)
            && s.Select(x => (x!.LastBlockId, x.LastBlockDigest)).Distinct().Count() == 1
            && s.All(x => !x!.TransferringState), timeout, "all replicas on one last block digest");

    /// <summary>Verifies every complete checkpoint (a numbered directory) of every replica as an auditor would;
    /// returns one line per checkpoint that fails, empty when all pass, and how many were checked.</summary>
    public (int Checked, IReadOnlyList<string> Failures) VerifyCheckpoints()
    {
        var keys = ReplicaPublicKeys.Load(Layout.KeysDirectory);
        var failures = new List<string>();
        var count = 0;
        foreach (var id in Layout.ReplicaIds())
        {
            var directory = DeploymentConfigLoader.Load(Layout.ReplicaConfig(id)).DbCheckpoints.Path;
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var checkpoint in Directory.GetDirectories(directory).Where(d => ulong.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                count++;
                var verification = CheckpointVerifier.Verify(checkpoint, keys, expectedChainId: null);
                if (!verification.Passed)
                {
                    failures.Add($"replica {id} checkpoint {Path.GetFileName(checkpoint)}: {verification.FirstFailure!.Name}: {verification.FirstFailure.Detail}");
                }
            }
        }

        return (count, failures);
    }

    /// <summary>Points the replica's peers at their proxies and sets <paramref name="changes"/> (adding keys the file lacks).</summary>
    private void RewriteConfig(string path, int self, IReadOnlyDictionary<string, string> changes)
    {
        var pending = new Dictionary<string, string>(changes);
        var lines = File.ReadAllLines(path).Select(line =>
        {
            var peer = PeerLine().Match(line);
            if (peer.Success)
            {
                var id = int.Parse(peer.Groups["id"].Value, CultureInfo.InvariantCulture);
                return id == self ? line : $"{peer.Groups["head"].Value}{Network.LinkPort(self, id)}{peer.Groups["tail"].Value}";
            }

            var key = line.Split(':', 2)[0];
            return pending.Remove(key, out var value) ? $"{key}: {value}" : line;
        }).ToList();
        lines.InsertRange(0, pending.Select(p => $"{p.Key}: {p.Value}"));
        File.WriteAllLines(path, lines);
    }

    [GeneratedRegex(@"^(?<head>\s*- \{ id: (?<id>\d+), host: [^,]+, port: )\d+(?<tail>,.*)$")]
    private static partial Regex PeerLine();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            foreach (var id in Layout.ReplicaIds())
            {
                await Runner.StopReplicaAsync(id, kill: true, TimeSpan.FromSeconds(10), timeout.Token);
            }
        }
        finally
        {
            await Network.DisposeAsync();
            if (Environment.GetEnvironmentVariable("CAIRN_FAULTS_KEEP") != "1")
            {
                Directory.Delete(Root, recursive: true);
            }
        }
    }
}
