using System.Text.Json.Nodes;

namespace Cairn.BenchReport;

/// <summary>What bench/cluster.sh measured: etcd and Cairn under the same loads (<see cref="ClusterLoad"/>, by client
/// count: the round with the median CPU per put; <see cref="Rounds"/>, every round), etcd's own <c>etcdctl check perf
/// --load=l</c>, Cairn with its primary killed under 16 KiB puts, and the largest replica's RSS.</summary>
internal sealed record ClusterResults(
    IReadOnlyList<ClusterLoad> Loads,
    JsonArray Rounds,
    int EtcdCheckPerfWrites,
    JsonNode Failover,
    int MaxRssMb
)
{
    public IReadOnlyList<int> ClientCounts => [.. Loads.Select(l => l.Clients).Distinct().Order()];

    public ClusterLoad Of(string system, int clients) => Loads.Single(l => l.System == system && l.Clients == clients);

    /// <summary>Reads the cluster-*.json files of a results directory (see bench/cluster.sh).</summary>
    public static ClusterResults Load(Func<string, JsonNode> read)
    {
        var cpu = read("cluster-cpu.json").AsObject();
        var loads = cpu.Select(entry =>
            {
                var dash = entry.Key.LastIndexOf('-');
                var system = entry.Key[..dash];
                var clients = int.Parse(entry.Key[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                var seconds = (double)entry.Value!["serversCpuSeconds"]! + (double)entry.Value!["loadCpuSeconds"]!;
                return new ClusterLoad(system, clients, read($"cluster-{entry.Key}.json"), seconds);
            })
            .ToList();
        return new ClusterResults(
            loads,
            read("cluster-rounds.json").AsArray(),
            (int)read("cluster-etcd-perf.json")["writesPerSecond"]!,
            read("cluster-failover.json"),
            (int)read("cluster-cairn-rss.json")["maxRssMb"]!
        );
    }
}
