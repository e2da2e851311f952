namespace Cairn.Node.LocalCluster;

/// <summary>
/// Environment variables a replica process is started with, by <c>cairn cluster up</c> and by the systemd unit
/// (deploy/cairn-replica.service, which sets the same): settings the C library reads once, at process start, before
/// the replica's own code could set them.
/// </summary>
public static class ReplicaEnvironment
{
    /// <summary>
    /// Each variable and its value. <c>MALLOC_ARENA_MAX</c>: glibc gives each thread that meets contention an arena of
    /// its own, up to eight per core, and keeps what each arena once held; RocksDB's, TLS's and the thread pool's
    /// threads spread a replica's C heap over many of them. Two arenas kept the largest replica's resident set about
    /// 60 MB lower under 16 KiB writes (docs/benchmarks-history.md, "Replica memory: two C heap arenas").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>
    {
        ["MALLOC_ARENA_MAX"] = "2",
    };
}
