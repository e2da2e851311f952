using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Backup;
using Cairn.Client;
using Cairn.Core;
using Cairn.FaultTests.Network;
using Cairn.IntegrationTests;
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
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private FaultCluster(string root, int basePort, int seed, IReadOnlyDictionary<string, string> configChanges)
    {
        Root = root;
        Layout = ClusterInitializer.Initialize(
            new ClusterInitOptions(Path.Combine(root, "cluster"), Replicas: 4, BasePort: basePort)
        );
        Network = new FaultNetwork(4, basePort, seed);
        foreach (var id in Layout.ReplicaIds())
        {
            RewriteConfig(Layout.ReplicaConfig(id), id, configChanges);
        }

        Runner = new ClusterRunner(Layout, CairnCommand);
        Direct = Cairn.Client.ClientConfig.Load(Layout.ClientConfig);
        ClientConfig = ThroughProxies(Direct) with { RequestTimeout = TimeSpan.FromSeconds(5) };
        OperatorConfig = ThroughProxies(Cairn.Client.ClientConfig.Load(Layout.OperatorConfig)) with
        {
            RequestTimeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>How the replicas run: <c>dotnet cairn.dll</c> from the test's output directory.</summary>
    public static IReadOnlyList<string> CairnCommand { get; } =
    ["dotnet", Path.Combine(AppContext.BaseDirectory, "cairn.dll")];

    /// <summary>The settings every fault cluster runs with: a DB checkpoint at every consensus checkpoint boundary at
    /// least 3 s after the previous one, so scenarios see checkpoints taken, retained and deleted under
    /// faults.</summary>
    public static IReadOnlyDictionary<string, string> DefaultSettings { get; } =
        new Dictionary<string, string>
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

    /// <summary>The operator's config (its key signs operator commands), through the client proxies.</summary>
    public ClientConfig OperatorConfig { get; }

    /// <summary>The client's config with the replicas' real ports, for observing them past any fault.</summary>
    public ClientConfig Direct { get; }

    public int Replicas => Network.Replicas;

    /// <summary>Creates and starts a cluster on <paramref name="basePort"/> (see <see cref="FaultNetwork"/> for the
    /// proxy ports).</summary>
    public static async Task<FaultCluster> StartAsync(
        int basePort,
        int seed,
        IReadOnlyDictionary<string, string>? configChanges = null
    )
    {
        var cluster = Create(basePort, seed, configChanges);
        await cluster.UpAsync();
        return cluster;
    }

    /// <summary>Creates a cluster without starting it, so a test can change one replica's setup first.</summary>
    public static FaultCluster Create(int basePort, int seed, IReadOnlyDictionary<string, string>? configChanges = null)
    {
        var settings = new Dictionary<string, string>(DefaultSettings);
        foreach (var (key, value) in configChanges ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return new FaultCluster(Directory.CreateTempSubdirectory("cairn-faults-").FullName, basePort, seed, settings);
    }

    /// <summary>Starts every replica and waits until all are healthy; on failure everything is torn down.</summary>
    public async Task UpAsync()
    {
        try
        {
            await Runner.UpAsync(TimeSpan.FromSeconds(120));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Sets <c>key: value</c> in one replica's deployment.config (before it starts).</summary>
    public void SetReplicaSetting(int id, string key, string value) =>
        RewriteConfig(Layout.ReplicaConfig(id), id, new Dictionary<string, string> { [key] = value });

    /// <summary>Every replica's status from its admin API on its real port (null for one that does not
    /// answer).</summary>
    public async Task<ReplicaStatus?[]> StatusesAsync() =>
        await Task.WhenAll(Direct.Replicas.Select(r => ReplicaAdmin.StatusAsync(r, StatusTimeout)));

    /// <summary>Waits until <paramref name="condition"/> holds for the statuses, failing with the last ones
    /// seen.</summary>
    public Task<ReplicaStatus?[]> WaitForAsync(Func<ReplicaStatus?[], bool> condition, TimeSpan timeout, string what) =>
        ReplicaStatusWait.UntilAsync(StatusesAsync, condition, timeout, what);

    /// <summary>kill -9 of one replica, waiting until the process is gone.</summary>
    public Task KillAsync(int id) => Runner.StopReplicaAsync(id, kill: true, TimeSpan.FromSeconds(10));

    /// <summary>Starts one replica and waits until its admin API answers.</summary>
    public async Task StartReplicaAsync(int id, TimeSpan timeout)
    {
        Runner.StartReplica(id);
        await WaitForAsync(s => s[id] is not null, timeout, $"replica {id} answering after its start");
    }

    /// <summary>Waits until every replica is up, has executed sequence number <paramref name="atLeast"/>, and all
    /// have the same last block with the same digest.</summary>
    public Task<ReplicaStatus?[]> WaitConvergedAsync(ulong atLeast, TimeSpan timeout) =>
        WaitForAsync(
            s =>
                s.All(x => x is not null && x.LastExecutedSeq >= atLeast && !x.TransferringState)
                && s.Select(x => (x!.LastBlockId, x.LastBlockDigest)).Distinct().Count() == 1,
            timeout,
            $"all replicas past seq {atLeast} on one last block digest"
        );

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain <paramref name="label"/>
    /// in replica <paramref name="id"/>'s <c>/metrics</c> (0 when absent, as counters are until their first
    /// event).</summary>
    public async Task<double> MetricAsync(int id, string metric, string label)
    {
        var port = DeploymentConfigLoader.Load(Layout.ReplicaConfig(id)).MetricsPort;
        var text = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        return text.Split('\n')
            .Where(line =>
                line.StartsWith(metric + "{", StringComparison.Ordinal)
                && line.Contains(label, StringComparison.Ordinal)
            )
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>Where replica <paramref name="id"/> keeps its database.</summary>
    public string DatabaseDirectory(int id) => DeploymentConfigLoader.Load(Layout.ReplicaConfig(id)).RocksDbPath;

    /// <summary>Where replica <paramref name="id"/> keeps its DB checkpoints.</summary>
    public string CheckpointDirectory(int id) =>
        DeploymentConfigLoader.Load(Layout.ReplicaConfig(id)).DbCheckpoints.Path;

    /// <summary>The ids of replica <paramref name="id"/>'s complete checkpoints (numbered directories), oldest
    /// first.</summary>
    public IReadOnlyList<ulong> CompleteCheckpoints(int id)
    {
        var directory = CheckpointDirectory(id);
        return Directory.Exists(directory)
            ?
            [
                .. Directory
                    .GetDirectories(directory)
                    .Select(d =>
                        ulong.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                            ? n
                            : (ulong?)null
                    )
                    .OfType<ulong>()
                    .Order(),
            ]
            : [];
    }

    /// <summary>True when replica <paramref name="id"/> holds a complete checkpoint at sequence number
    /// <paramref name="seq"/> or later (a later periodic one may have retired it).</summary>
    public bool HasCheckpointAtOrAfter(int id, ulong seq) =>
        CompleteCheckpoints(id)
            .Any(c =>
            {
                try
                {
                    return CheckpointMetadata
                            .Read(
                                Path.Combine(
                                    CheckpointDirectory(id),
                                    c.ToString(CultureInfo.InvariantCulture),
                                    CheckpointMetadata.FileName
                                )
                            )
                            .SeqNum.Value >= seq;
                }
                catch (CheckpointMetadataException)
                {
                    // Retention deleted it between the listing and the read.
                    return false;
                }
            });

    /// <summary>Verifies every complete checkpoint (a numbered directory) of every replica as an auditor would;
    /// returns one line per checkpoint that fails, empty when all pass, and how many were checked.</summary>
    public (int Checked, IReadOnlyList<string> Failures) VerifyCheckpoints()
    {
        var keys = ReplicaPublicKeys.Load(Layout.KeysDirectory);
        var failures = new List<string>();
        var count = 0;
        foreach (var id in Layout.ReplicaIds())
        {
            foreach (var seq in CompleteCheckpoints(id))
            {
                // The replicas still run: pinned while it is read, as an export pins it, so retention does not delete
                // it meanwhile; one retired since it was listed is not there to verify.
                DbCheckpointFilePin pin;
                try
                {
                    pin = DbCheckpointFilePin.Acquire(CheckpointDirectory(id), new BlockId(seq));
                }
                catch (DbCheckpointException)
                {
                    continue;
                }

                using var held = pin;
                count++;
                var checkpoint = pin.CheckpointDirectory;
                var verification = CheckpointVerifier.Verify(checkpoint, keys, expectedChainId: null);
                if (!verification.Passed)
                {
                    failures.Add(
                        $"replica {id} checkpoint {Path.GetFileName(checkpoint)}: {verification.FirstFailure!.Name}: "
                            + $"{verification.FirstFailure.Detail}"
                    );
                }
            }
        }

        return (count, failures);
    }

    private ClientConfig ThroughProxies(ClientConfig config) =>
        config with
        {
            Replicas = [.. config.Replicas.Select(r => r with { Port = Network.ClientPort(r.Id.Value) })],
        };

    /// <summary>Points the replica's peers at their proxies and sets <paramref name="changes"/> (adding keys the file
    /// lacks).</summary>
    private void RewriteConfig(string path, int self, IReadOnlyDictionary<string, string> changes)
    {
        var pending = new Dictionary<string, string>(changes);
        var lines = File.ReadAllLines(path)
            .Select(line =>
            {
                var peer = PeerLine().Match(line);
                if (peer.Success)
                {
                    var id = int.Parse(peer.Groups["id"].Value, CultureInfo.InvariantCulture);
                    return id == self
                        ? line
                        : $"{peer.Groups["head"].Value}{Network.LinkPort(self, id)}{peer.Groups["tail"].Value}";
                }

                var key = line.Split(':', 2)[0];
                return pending.Remove(key, out var value) ? $"{key}: {value}" : line;
            })
            .ToList();
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
