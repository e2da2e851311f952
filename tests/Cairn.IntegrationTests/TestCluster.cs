using Cairn.Client;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Grpc;

namespace Cairn.IntegrationTests;

/// <summary>A real 4-replica cluster of <c>cairn replica</c> processes on loopback, in a temporary directory,
/// torn down (SIGKILL if need be) when disposed so a failed test leaves no process behind.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(string root, int basePort, IReadOnlyDictionary<string, string>? configChanges)
    {
        Root = root;
        Layout = ClusterInitializer.Initialize(
            new ClusterInitOptions(Path.Combine(root, "cluster"), Replicas: 4, BasePort: basePort)
        );
        var changes = new Dictionary<string, string>
        {
            ["checkpoint_window_size"] = CheckpointWindow.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in configChanges ?? new Dictionary<string, string>())
        {
            changes[key] = value;
        }

        foreach (var id in Layout.ReplicaIds())
        {
            ChangeConfig(Layout.ReplicaConfig(id), changes);
        }

        UseGenerousTimeouts(Layout);
        Runner = new ClusterRunner(Layout, CairnCommand);
        ClientConfig = Cairn.Client.ClientConfig.Load(Layout.ClientConfig);
    }

    /// <summary>The <c>checkpoint_window_size</c> of every test cluster (a test may set another): a checkpoint
    /// boundary every 30 sequence numbers instead of the default 150, so that an operator command that waits for one
    /// (a DB checkpoint, a wedge) on an idle cluster costs 30 no-op batches at most, not 150.</summary>
    public const int CheckpointWindow = 30;

    /// <summary>How long the tests let anything take that a busy machine can slow down: a request, a query, a cluster
    /// start, a wait for replicas to converge. The tests wait on observable state, so a generous deadline costs time
    /// only
    /// when something is really wrong.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromMinutes(3);

    /// <summary>Writes <see cref="Patience"/> as <c>request_timeout_millisec</c> into a cluster's client and operator
    /// configs, so that the CLI processes a test runs wait as long as the test itself (the defaults suit an idle
    /// machine, not two cores shared by several clusters).</summary>
    public static void UseGenerousTimeouts(ClusterLayout layout)
    {
        var timeout = new Dictionary<string, string>
        {
            ["request_timeout_millisec"] = ((int)Patience.TotalMilliseconds).ToString(
                System.Globalization.CultureInfo.InvariantCulture
            ),
        };
        ChangeConfig(layout.ClientConfig, timeout);
        ChangeConfig(layout.OperatorConfig, timeout);
    }

    /// <summary>How the tests run the CLI: <c>dotnet cairn.dll</c> from the test's output directory.</summary>
    public static IReadOnlyList<string> CairnCommand { get; } =
    ["dotnet", Path.Combine(AppContext.BaseDirectory, "cairn.dll")];

    /// <summary>How the tests run the operator tool: <c>dotnet cairn-op.dll</c>.</summary>
    public static IReadOnlyList<string> OperatorToolCommand { get; } =
    ["dotnet", Path.Combine(AppContext.BaseDirectory, "cairn-op.dll")];

    public string Root { get; }

    public ClusterLayout Layout { get; }

    public ClusterRunner Runner { get; }

    public ClientConfig ClientConfig { get; }

    /// <summary>Creates and starts a cluster whose ports start at <paramref name="basePort"/>: replica i on base + i,
    /// its
    /// metrics on base + 100 + i (see <see cref="TestPorts"/>).</summary>
    /// <param name="configChanges">deployment.config keys to set on every replica before it starts.</param>
    /// <param name="beforeStart">Changes to the cluster directory (keys, configs) made before any replica
    /// starts.</param>
    public static async Task<TestCluster> StartAsync(
        int basePort,
        IReadOnlyDictionary<string, string>? configChanges = null,
        Action<ClusterLayout>? beforeStart = null
    )
    {
        var cluster = new TestCluster(Directory.CreateTempSubdirectory("cairn-it-").FullName, basePort, configChanges);
        beforeStart?.Invoke(cluster.Layout);
        await cluster.Runner.UpAsync(Patience);
        return cluster;
    }

    public CairnClient Client(int session = 1) => new(ClientConfig, session);

    /// <summary>Every replica's status from its admin API (null for one that does not answer).</summary>
    public async Task<ReplicaStatus?[]> StatusesAsync() =>
        await Task.WhenAll(ClientConfig.Replicas.Select(r => ReplicaAdmin.StatusAsync(r, TimeSpan.FromSeconds(10))));

    /// <summary>Waits until <paramref name="condition"/> holds for the statuses, failing with the last ones
    /// seen.</summary>
    public async Task<ReplicaStatus?[]> WaitForAsync(
        Func<ReplicaStatus?[], bool> condition,
        TimeSpan timeout,
        string what
    )
    {
        try
        {
            return await ReplicaStatusWait.UntilAsync(StatusesAsync, condition, timeout, what);
        }
        catch (TimeoutException timedOut)
        {
            // The cluster's directory goes with the test: the warnings are what is left to read in a CI log.
            throw new TimeoutException($"{timedOut.Message}{Environment.NewLine}{LogWarnings()}", timedOut);
        }
    }

    /// <summary>The last warnings and errors of every replica's log, a few lines each.</summary>
    private string LogWarnings() =>
        string.Join(
            Environment.NewLine,
            ClientConfig.Replicas.Select(
                (_, id) =>
                {
                    var lines = LogLines(id).Where(l => l.Contains(" warn: ") || l.Contains(" fail: ")).TakeLast(6);
                    return $"replica {id} log warnings:{Environment.NewLine}  "
                        + string.Join($"{Environment.NewLine}  ", lines.Select(l => l.Length > 240 ? l[..240] : l));
                }
            )
        );

    /// <summary>Puts <paramref name="count"/> keys "prefix-i" from one client; returns the keys.</summary>
    /// <param name="valueBytes">Padding after the value "v:key", to write large values.</param>
    public async Task<IReadOnlyList<string>> PutManyAsync(
        string prefix,
        int count,
        int sessions = 8,
        int valueBytes = 0
    )
    {
        var padding = new string('v', valueBytes);
        var keys = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToArray();
        await Task.WhenAll(
            Enumerable
                .Range(0, sessions)
                .Select(async s =>
                {
                    using var client = Client(s + 1);
                    for (var i = s; i < keys.Length; i += sessions)
                    {
                        await client.PutAsync(Bytes(keys[i]), Bytes("v:" + keys[i] + padding));
                    }
                })
        );
        return keys;
    }

    /// <summary>Sets <c>key: value</c> lines of a deployment.config (the keys must already be in the file).</summary>
    public static void ChangeConfig(string path, IReadOnlyDictionary<string, string> changes)
    {
        var lines = File.ReadAllLines(path)
            .Select(line =>
            {
                var key = line.Split(':', 2)[0];
                return changes.TryGetValue(key, out var value) ? $"{key}: {value}" : line;
            });
        File.WriteAllLines(path, lines);
    }

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>How many of each replica's last log lines the test's output gets when the cluster is
    /// disposed.</summary>
    private const int LogTailLines = 40;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Runner.DownAsync(TimeSpan.FromSeconds(5), timeout.Token);
        }
        finally
        {
            WriteLogTails();
            // CAIRN_TEST_KEEP_DIRS=1 keeps the cluster's directory (configs, data, replica logs) for a post-mortem.
            if (Environment.GetEnvironmentVariable("CAIRN_TEST_KEEP_DIRS") != "1")
            {
                Directory.Delete(Root, recursive: true);
            }
            else
            {
                Console.Error.WriteLine($"kept the test cluster's directory: {Root}");
            }
        }
    }

    /// <summary>The end of each replica's log into the test's output, which the runner shows with a failed test only:
    /// a failure in CI, whose cluster directory is gone, still says what the replicas did.</summary>
    private void WriteLogTails()
    {
        var output = TestContext.Current.TestOutputHelper;
        if (output is null)
        {
            return;
        }

        foreach (var id in Layout.ReplicaIds())
        {
            output.WriteLine($"--- replica {id}, the last {LogTailLines} lines of {Layout.ReplicaLogFile(id)}:");
            foreach (var line in LogLines(id).TakeLast(LogTailLines))
            {
                output.WriteLine(line);
            }
        }
    }

    /// <summary>Replica <paramref name="id"/>'s <c>/metrics</c> page, from the metrics port its config names.</summary>
    public async Task<string> MetricsAsync(int id)
    {
        using var http = new HttpClient();
        var port = DeploymentConfigLoader.Load(Layout.ReplicaConfig(id)).MetricsPort;
        return await http.GetStringAsync(
            new Uri($"http://127.0.0.1:{port}/metrics"),
            TestContext.Current.CancellationToken
        );
    }

    /// <summary>Replica <paramref name="id"/>'s log, line by line; none before it started.</summary>
    private IEnumerable<string> LogLines(int id)
    {
        var log = Layout.ReplicaLogFile(id);
        return File.Exists(log) ? File.ReadLines(log) : [];
    }
}
