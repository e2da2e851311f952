namespace Cairn.Node.LocalCluster;

/// <summary>
/// Environment variables a replica process is started with, by <c>cairn cluster up</c> and by the systemd unit
/// (deploy/cairn-replica.service, which sets the same): settings the C library and the .NET runtime read once, at
/// process start, before the replica's own code could set them, and that only a long-running replica should have.
/// </summary>
public static class ReplicaEnvironment
{
    /// <summary>
    /// Each variable and its value. <c>MALLOC_ARENA_MAX</c>: glibc gives each thread that meets contention an arena of
    /// its own, up to eight per core, and keeps what each arena once held; RocksDB's, TLS's and the thread pool's
    /// threads spread a replica's C heap over many of them. Two arenas kept the largest replica's resident set about
    /// 60 MB lower under 16 KiB writes (docs/benchmarks-history.md, "Replica memory: two C heap arenas").
    /// <c>DOTNET_TC_CallCountingDelayMs</c>: hot methods move from ReadyToRun code to optimised code once called 30
    /// times, but the runtime only starts counting calls after 100 ms without a method called for the first time, and a
    /// replica under load keeps calling new ones: it ran on ReadyToRun code through most of a 10,000-put load (0.7
    /// times the throughput it reached once warm; docs/benchmarks-history.md, "A replica that warms up under load").
    /// Not for every <c>cairn</c> command: a short one would compile optimised code it exits before using (about
    /// 0.5 s more CPU for a <c>kv put</c>).
    /// <c>DOTNET_TieredPGO</c>: <c>cairn</c> is built without dynamic PGO, which short commands pay for and do not
    /// recoup (src/Cairn.Cli/Cairn.Cli.csproj); a replica runs long enough to, and the variable overrides the build's
    /// setting.
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>: a socket's completion runs on the thread that polled it
    /// instead of being handed to a thread-pool worker; a replica does no blocking work in one (its frames are decoded
    /// and checked there, then queued), and the hand-off cost about 4 % of the replicas' CPU per put in waking and
    /// switching threads (docs/benchmarks-history.md, "Socket completions where they arrive").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Variables = new Dictionary<string, string>
    {
        ["MALLOC_ARENA_MAX"] = "2",
        ["DOTNET_TC_CallCountingDelayMs"] = "0",
        ["DOTNET_TieredPGO"] = "1",
        ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
    };
}
