using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cairn.BenchReport;

/// <summary>docs/benchmarks.md, written from one run's results: the machine, the command, a target table with
/// met/missed, then each benchmark's table and plot.</summary>
internal static partial class BenchmarkReport
{
    public static string Write(BenchResults r, ReportPlots plots, string command)
    {
        var sizes = SizePoints(r.CheckpointSizes);
        var noneTotal =
            r.DipRounds.Sum(d => (double)d.None["completed"]!) / r.DipRounds.Sum(d => (double)d.None["seconds"]!);
        var everyTotal =
            r.DipRounds.Sum(d => (double)d.EverySecond["completed"]!)
            / r.DipRounds.Sum(d => (double)d.EverySecond["seconds"]!);
        var dip = 1 - (everyTotal / noneTotal);
        var latencyPoints = r.CheckpointLatency["points"]!.AsArray().Select(p => p!).ToList();
        var restore = r.Restore;
        var restoreSeconds = (double)restore["restoreSeconds"]!;
        var cluster = r.Cluster;
        var unsyncedAppend = AppendMeanMicroseconds(r.LedgerAppendTable, "Unsynced");
        var largest = sizes[^1];
        var atOneGiB = sizes.MinBy(s => Math.Abs(s.TargetMiB - 1024))!;

        var md = new StringBuilder();
        void Line(string text) => md.AppendLine(text);
        void Text(string text) => md.AppendLine(text);

        Text("# Benchmarks");
        Text("");
        Text(
            "<!-- Written by bench/run-all.sh (bench/Cairn.BenchReport) from the raw results in bench/results/. Do not "
                + "edit: re-run. -->"
        );
        Text("");
        Line(
            $"Every table and plot below is generated from one run of `{command}`, whose raw results are in "
                + $"`bench/results/`."
        );
        Text("Earlier runs, taken by hand before this script existed, and what was learnt from them are kept in");
        Text("[benchmarks-history.md](benchmarks-history.md).");
        Text("");
        Text("## Machine and run");
        Text("");
        Text("```");
        Text(r.Machine);
        Text("```");
        Text("");
        Text(
            "The machine has 2 cores shared with other developers' builds and tests; the load averages above (before "
                + "and after"
        );
        Text(
            "the run) say how busy it was. Under such load every figure is an upper bound on the time, a lower bound "
                + "on the"
        );
        Text("throughput, and moves from run to run: compare figures within one run (the ratios), not across runs.");
        Text("");
        Text("## Targets");
        Text("");
        Text("| Target (issue) | Measured | |");
        Text("|---|---|---|");
        foreach (var s in sizes)
        {
            var ratio = s.CairnMs / s.RawMs;
            Line(
                $"| Checkpoint ≤ 2× the raw RocksDB call at {Size(s.Bytes)} (6) | {ratio:F2}× ({s.CairnMs:F1} ms vs "
                    + $"{s.RawMs:F1} ms, medians) | {Verdict(ratio <= 2)} |"
            );
        }

        Line(
            $"| Checkpoint ≤ 20 ms at 1 GB (6) | {atOneGiB.CairnMs:F1} ms median at {Size(atOneGiB.Bytes)} | "
                + $"{Verdict(atOneGiB.CairnMs <= 20)} |"
        );
        Line(
            $"| Throughput dip with a checkpoint every second ≤ 5% (6) | {dip * 100:F1}% ({everyTotal:F0} vs "
                + $"{noneTotal:F0} puts/s over {r.DipRounds.Count} rounds) | {Verdict(dip <= 0.05)} |"
        );
        Line(
            $"| Restore of a 1 GB checkpoint ≤ 2 s (8) | {restoreSeconds:F2} s for "
                + $"{Size((long)restore["checkpointBytes"]!)} | {Verdict(restoreSeconds <= 2)} |"
        );
        foreach (var point in latencyPoints)
        {
            foreach (var (mode, label) in LatencyModes)
            {
                var seconds = Field(point[mode]!, "seconds");
                var unfinished = Unfinished(point[mode]!);
                Line(
                    $"| On-demand checkpoint ≤ 2 s, 2f+1 finalised, at {Size(MiB(point))} {label} (7, 17) | median "
                        + $"{Stats.Median(seconds):F2} s, max {seconds.Max():F2} s"
                        + (unfinished > 0 ? $"; {unfinished} of {seconds.Length} not finalised by 2f+1 in time" : "")
                        + $" | {Verdict(Stats.Median(seconds) <= 2 && unfinished == 0)} |"
                );
            }
        }
        ClusterTargets(cluster, Line);
        if (unsyncedAppend is { } us)
        {
            Line(
                $"| Unsynced append ≥ 30,000 blocks/s (3) | {1e6 / us:N0} blocks/s ({us:F2} μs per block, mean) | "
                    + $"{Verdict(1e6 / us >= 30_000)} |"
            );
        }
        else
        {
            Text(
                "| Unsynced append ≥ 30,000 blocks/s (3) | not measured: BenchmarkDotNet reported no mean (see "
                    + "`bench/results/ledger-append.log`) | **missed** |"
            );
        }

        Text("");
        Text(
            "Export and verify have no absolute target: their throughput is compared with `tar | zstd` and `sha256sum` "
                + "below."
        );
        Text("");

        Text("## Checkpoint creation vs database size (issue 6)");
        Text("");
        Text(
            "`Cairn.Benchmarks checkpoint-sizes` builds each database once with unsynced ledger appends (8 random 1 "
                + "KiB values"
        );
        Text(
            "per block, stored in the block and in the state), flushes it, and measures on that same database, in this "
                + "order:"
        );
        Text(
            "**Cairn**: `DbCheckpointManager.TakeAtBoundary` for an ordered checkpoint, what a replica's request "
                + "path"
        );
        Text(
            "waits for (disk guard: database size and free space; then the ledger's RocksDB checkpoint into "
                + "`<id>.tmp`), after"
        );
        Text(
            "one more appended block each time, so each checkpoint has a new id and a small write-ahead log to copy as "
                + "on a live"
        );
        Text(
            "replica; **raw**: RocksDbSharp `Checkpoint().Save` on the same database opened directly; **`cp -a`** of "
                + "the"
        );
        Text(
            "database directory (page cache to page cache, no fsync). The background finalisation of a Cairn checkpoint"
        );
        Text("(chain verification, state digest, `checkpoint.json`, rename) is not in these times. Times are medians.");
        Text("");
        Text(
            "| Database | Files (SST) | Cairn ms | Raw RocksDB ms | `cp -a` ms | Cairn ÷ raw | `cp -a` ÷ Cairn | "
                + "Repeats |"
        );
        Text("|---|---|---|---|---|---|---|---|");
        foreach (var s in sizes)
        {
            Line(
                $"| {Size(s.Bytes)} | {s.Files} ({s.SstFiles}) | {s.CairnMs:F2} | {s.RawMs:F2} | {s.CpAMs:F0} | "
                    + $"{s.CairnMs / s.RawMs:F2}× | {s.CpAMs / s.CairnMs:F0}× | {s.Repeats} (cp -a: {s.CopyRepeats}) |"
            );
        }

        Text("");
        Text(plots.CheckpointTimeVsSize(sizes));
        Text("");
        Line(
            $"Every single timing is in `bench/results/checkpoint-sizes.json`; at {Size(largest.Bytes)} Cairn ranged "
                + $"from {Range(r.CheckpointSizes, sizes.Count - 1, "cairnMs")} ms and the raw call from "
                + $"{Range(r.CheckpointSizes, sizes.Count - 1, "rawMs")} ms."
        );
        Text("");

        if (r.FinaliseSizes is { } finaliseSizes)
        {
            WriteFinaliseSizes(md, finaliseSizes);
        }

        Text("## Client throughput with a checkpoint every second (issue 6)");
        Text("");
        Text(
            "`bench/checkpoint-dip.sh`: per round, a fresh 4-replica cluster with `FEATURE_db_checkpoints: false`, "
                + "then a fresh"
        );
        Text(
            "one with `db_checkpoint_duration: 1` and `dbcheckpoint_window: 1` (a checkpoint at every stable boundary "
                + "at least"
        );
        Text(
            "1 s after the last), both with `checkpoint_window_size: 20`; each gets a warm-up, then the same `cairn "
                + "load`."
        );
        Text(
            "Checkpoints come at stable boundaries, so at most as often as the cluster certifies one (the count is in "
                + "the table)."
        );
        Text("");
        Text(
            "| Round | No checkpoints, puts/s | Checkpoint every second, puts/s | Checkpoints during the load | Dip |"
        );
        Text("|---|---|---|---|---|");
        foreach (var d in r.DipRounds)
        {
            var none = DipRound.Throughput(d.None);
            var every = DipRound.Throughput(d.EverySecond);
            Line(
                $"| {d.Round} | {none:F0} | {every:F0} | {d.CheckpointOffsets().Count} in "
                    + $"{(double)d.EverySecond["seconds"]!:F0} s | {(1 - (every / none)) * 100:F1}% |"
            );
        }

        Line($"| all | {noneTotal:F0} | {everyTotal:F0} | | **{dip * 100:F1}%** |");
        Text("");
        Text(plots.ThroughputAcrossCheckpoints(r.DipRounds[0]));
        Text("");
        Line(
            $"Load per run: {(int)r.DipRounds[0].None["requests"]!} puts of {(int)r.DipRounds[0].None["valueSize"]!} B "
                + $"from {(int)r.DipRounds[0].None["clients"]!} clients. A negative dip means the run with checkpoints "
                + $"was "
                + $"the faster one: the difference is then noise from the shared machine."
        );
        Text("");

        WriteCheckpointLatency(md, r.CheckpointLatency, latencyPoints);

        Text("## Restore, export, verify and catch-up (issue 8)");
        Text("");
        var bytes = (double)(long)restore["checkpointBytes"]!;
        double MiBps(string key) => bytes / (1024 * 1024) / (double)restore[key]!;
        Line(
            $"`bench/restore.sh`: a 4-replica cluster filled with 256 KiB puts, then `op dbCheckpoint create`, "
                + $"again until a checkpoint holds the size asked for: checkpoint {(long)restore["checkpointId"]!}, "
                + $"{Size((long)bytes)} in {(int)restore["checkpointFiles"]!} files. Each Cairn time is the whole CLI "
                + $"command (process start included); each plain tool reads the same checkpoint files in the same "
                + $"run, right after."
        );
        Text("");
        Text("| Operation | Seconds | MiB/s | Plain tool | Seconds | MiB/s | Cairn ÷ plain tool (time) |");
        Text("|---|---|---|---|---|---|---|");
        Line(
            $"| `cairn checkpoint export` (tar.gz + SHA-256 manifest; {Size((long)restore["exportArchiveBytes"]!)}) | "
                + $"{(double)restore["exportSeconds"]!:F2} | {MiBps("exportSeconds"):F0} | `tar \\| zstd` "
                + $"({Size((long)restore["tarZstdBytes"]!)}) | {(double)restore["tarZstdSeconds"]!:F2} | "
                + $"{MiBps("tarZstdSeconds"):F0} | "
                + $"{(double)restore["exportSeconds"]! / (double)restore["tarZstdSeconds"]!:F1}× |"
        );
        Line(
            $"| `cairn checkpoint verify` of the archive | {(double)restore["verifyArchiveSeconds"]!:F2} | "
                + $"{MiBps("verifyArchiveSeconds"):F0} | `sha256sum` of every file | "
                + $"{(double)restore["sha256sumSeconds"]!:F2} | {MiBps("sha256sumSeconds"):F0} | "
                + $"{(double)restore["verifyArchiveSeconds"]! / (double)restore["sha256sumSeconds"]!:F1}× |"
        );
        Line(
            $"| `cairn checkpoint verify` of the directory | {(double)restore["verifyDirectorySeconds"]!:F2} | "
                + $"{MiBps("verifyDirectorySeconds"):F0} | `sha256sum` of every file | "
                + $"{(double)restore["sha256sumSeconds"]!:F2} | {MiBps("sha256sumSeconds"):F0} | "
                + $"{(double)restore["verifyDirectorySeconds"]! / (double)restore["sha256sumSeconds"]!:F1}× |"
        );
        Line(
            $"| `cairn restore --checkpoint` (verify, hard-link install, same file system) | {restoreSeconds:F2} | "
                + $"{bytes / (1024 * 1024) / restoreSeconds:F0} | | | | |"
        );
        Text("");
        var stBlocks = (int)restore["stateTransferBlocks"]!;
        var stSeconds = (double)restore["stateTransferSeconds"]!;
        Line(
            $"Catch-up: after the checkpoint the cluster executed {(int)restore["catchUpBlocks"]!} more blocks; "
                + $"replica 3, restored to block {(long)restore["checkpointId"]!} and started again, was healthy after "
                + $"{(double)restore["replicaHealthySeconds"]!:F1} s and at its peers' last block after "
                + $"{(double)restore["catchUpSeconds"]!:F1} s (process start included): "
                + $"**{(int)restore["catchUpBlocks"]! / (double)restore["catchUpSeconds"]!:F0} blocks/s** end "
                + $"to end."
        );
        Line(
            $"State transfer alone, from the replica's log (event 1022, behind, to the last 1023, installed): "
                + $"{stBlocks} blocks in {stSeconds:F2} "
                + $"s{(stSeconds > 0 ? $", {stBlocks / stSeconds:F0} blocks/s" : "")}."
        );
        Text("");

        ClusterSection(cluster, plots, Line);
        Text("## Ledger block append (issue 3)");
        Text("");
        Text(
            "BenchmarkDotNet, `LedgerAppendBenchmarks`: 2,000 single-threaded appends per iteration of one block with "
                + "one"
        );
        Text(
            "1 KiB write, synced (one WAL fsync per block) and unsynced; the table shows time per block. Log: "
                + "`bench/results/ledger-append.log`."
        );
        Text("");
        Text(r.LedgerAppendTable);
        return md.ToString();
    }

    private static List<SizePoint> SizePoints(JsonNode sizes) =>
        [
            .. sizes["sizes"]!
                .AsArray()
                .Select(s => new SizePoint(
                    (int)s!["targetMiB"]!,
                    (long)s["bytes"]!,
                    (int)s["files"]!,
                    (int)s["sstFiles"]!,
                    Stats.Median(Values(s, "cairnMs")),
                    Stats.Median(Values(s, "rawMs")),
                    Stats.Median(Values(s, "cpAMs")),
                    Values(s, "cairnMs").Count,
                    Values(s, "cpAMs").Count
                )),
        ];

    private static List<double> Values(JsonNode size, string key) => [.. size[key]!.AsArray().Select(v => (double)v!)];

    private static string Range(JsonNode sizes, int index, string key)
    {
        var values = Values(sizes["sizes"]![index]!, key);
        return string.Create(CultureInfo.InvariantCulture, $"{values.Min():F1} to {values.Max():F1}");
    }

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    /// <summary>The target rows of issues 5 and 15: throughput, p99 and CPU per put against etcd at each client
    /// count, against <c>etcdctl check perf</c>, the primary killed under 16 KiB puts, and replica RSS.</summary>
    private static void ClusterTargets(ClusterResults cluster, Action<string> line)
    {
        foreach (var clients in cluster.ClientCounts)
        {
            var (etcd, cairn) = (cluster.Of("etcd", clients), cluster.Of("cairn", clients));
            line(
                $"| Cairn ≥ 1.5× etcd's throughput, {clients} clients (5, 15) | "
                    + $"{cairn.PutsPerSecond / etcd.PutsPerSecond:F2}× "
                    + $"({cairn.PutsPerSecond:F0} vs {etcd.PutsPerSecond:F0} puts/s) | "
                    + $"{Verdict(cairn.PutsPerSecond >= 1.5 * etcd.PutsPerSecond)} |"
            );
            line(
                $"| Cairn p99 ≤ etcd's p99, {clients} clients (5, 15) | {cairn.P99Ms:F1} ms vs {etcd.P99Ms:F1} ms | "
                    + $"{Verdict(cairn.P99Ms <= etcd.P99Ms)} |"
            );
            line(
                $"| CPU per put ≤ ⅔ of etcd's, all processes, {clients} clients (15) | {cairn.CpuMsPerPut:F2} ms vs "
                    + $"{etcd.CpuMsPerPut:F2} ms ({cairn.CpuMsPerPut / etcd.CpuMsPerPut:F2}×) | "
                    + $"{Verdict(cairn.CpuMsPerPut <= 2.0 / 3 * etcd.CpuMsPerPut)} |"
            );
        }

        var best = cluster.Loads.Where(l => l.System == "cairn").MaxBy(l => l.PutsPerSecond)!;
        line(
            $"| Cairn ≥ 1.5× `etcdctl check perf --load=l` (15) | "
                + $"{best.PutsPerSecond / cluster.EtcdCheckPerfWrites:F2}× ({best.PutsPerSecond:F0} puts/s at "
                + $"{best.Clients} clients vs {cluster.EtcdCheckPerfWrites} writes/s) | "
                + $"{Verdict(best.PutsPerSecond >= 1.5 * cluster.EtcdCheckPerfWrites)} |"
        );
        var failover = cluster.Failover;
        var failed = (int)failover["failed"]!;
        var stopped = failover["stoppedServingSeconds"] is { } s ? (double?)s : null;
        var load =
            $"{(int)failover["requests"]!} puts of {(int)failover["valueSize"]! / 1024} KiB from "
            + $"{(int)failover["clients"]!} clients";
        line($"| {load}, primary killed: no failed request (15) | {failed} failed | {Verdict(failed == 0)} |");
        line(
            $"| {load}: serving again ≤ 10 s after the primary is killed (15) | "
                + $"{(stopped is { } gap ? $"{gap:F1} s" : "never within the load")} | {Verdict(stopped <= 10)} |"
        );
        line(
            $"| Replica RSS ≤ 300 MB under all of these (5, 15) | {cluster.MaxRssMb} MB (largest replica) | "
                + $"{Verdict(cluster.MaxRssMb <= 300)} |"
        );
    }

    private static int RoundCount(ClusterResults cluster) => cluster.Rounds.Max(r => (int)r!["round"]!);

    /// <summary>The Cairn vs etcd section: each load on each system, with its CPU, every round, and the failover
    /// run.</summary>
    private static void ClusterSection(ClusterResults cluster, ReportPlots plots, Action<string> line)
    {
        var first = cluster.Loads[0];
        line("## Cairn vs etcd (issues 5 and 15)");
        line("");
        line(
            $"`bench/cluster.sh`: a 3-node etcd cluster (JSON gateway) and a 4-replica Cairn cluster (f = 1) on "
                + $"loopback, side by side, each given {first.Requests} puts of {first.ValueSize} B from "
                + $"{string.Join(" and then ", cluster.ClientCounts)} concurrent clients by the same load generator "
                + $"(each after a warm-up: etcd after etcd's own benchmark, `etcdctl check perf --load=l`, which gave "
                + $"{cluster.EtcdCheckPerfWrites} writes/s; Cairn after {first.Requests} puts from "
                + $"{cluster.ClientCounts.Max()} clients, as its replicas compile their hot code while they run). "
                + $"The loads alternate between the systems, {RoundCount(cluster)} rounds of etcd then Cairn at each "
                + "client count, so what else loads the machine reaches both alike; each row below is the round with "
                + "the median CPU per put of its system and client count. CPU is user + system time of every process "
                + "of the system, servers and load generator, over the load, per completed put."
        );
        line("");
        line("| System | Clients | puts/s | p50 ms | p95 ms | p99 ms | max ms | CPU ms per put |");
        line("|---|---|---|---|---|---|---|---|");
        foreach (var load in cluster.Loads.OrderBy(l => l.Clients).ThenByDescending(l => l.System))
        {
            line(
                $"| {(load.System == "etcd" ? "etcd, 3 nodes" : "Cairn, 4 replicas")} | {load.Clients} | "
                    + $"{load.PutsPerSecond:F0} | {load.P50Ms:F1} | {load.P95Ms:F1} | {load.P99Ms:F1} | "
                    + $"{load.MaxMs:F1} | {load.CpuMsPerPut:F2} |"
            );
        }

        line("");
        line("Every round, CPU ms per put (puts/s, p99 ms), in the order they ran:");
        line("");
        foreach (var group in cluster.Rounds.GroupBy(r => ((string)r!["system"]!, (int)r!["clients"]!)))
        {
            var runs = group.Select(r =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(double)r!["cpuMsPerPut"]!:F2} ({(double)r["putsPerSecond"]!:F0}, {(double)r["p99Ms"]!:F1})"
                )
            );
            line(
                $"- {(group.Key.Item1 == "etcd" ? "etcd" : "Cairn")}, {group.Key.Item2} clients: "
                    + string.Join("; ", runs)
            );
        }

        line("");
        line(
            plots.CairnVsEtcd([
                .. cluster
                    .Loads.OrderBy(l => l.Clients)
                    .ThenByDescending(l => l.System)
                    .Select(l =>
                        ($"{(l.System == "etcd" ? "etcd" : "Cairn")} {l.Clients}", l.PutsPerSecond, l.P50Ms, l.P99Ms)
                    ),
            ])
        );
        line("");
        var failover = cluster.Failover;
        line(
            $"Primary killed under load: {(int)failover["requests"]!} puts of {(int)failover["valueSize"]! / 1024} KiB "
                + $"from {(int)failover["clients"]!} clients; once a third had executed, replica "
                + $"{(int)failover["killedPrimary"]!} (the primary) got SIGKILL. "
                + $"{(int)failover["completed"]!} completed, "
                + $"{(int)failover["failed"]!} failed, the survivors ended in view {(int)failover["viewAfter"]!}. "
                + "The cluster stopped serving for "
                + $"{(failover["stoppedServingSeconds"] is { } s ? $"{(double)s:F1} s" : "the rest of the load")}: "
                + "from the kill to the first put completed after the longest run of 250 ms intervals without any "
                + "(`bench/results/cluster-failover-load.json` has the timeline)."
        );
        line("");
    }

    private static readonly (string Mode, string Label)[] LatencyModes = [("idle", "idle"), ("load", "under load")];

    private static long MiB(JsonNode point) => (long)(double)point["sizeMiB"]! << 20;

    /// <summary>One field of every round of a checkpoint-latency mode.</summary>
    private static double[] Field(JsonNode rounds, string name) =>
        [.. rounds.AsArray().Select(round => (double)round![name]!)];

    // 2f + 1 of the benchmark's 4 replicas.
    private const int LatencyQuorum = 3;

    /// <summary>The rounds of a checkpoint-latency mode where at least 2f + 1 replicas logged the checkpoint finalised
    /// by the time the CLI returned; in the others it gave up (its --timeout) or failed.</summary>
    private static List<JsonNode> Finished(JsonNode rounds) =>
        [.. rounds.AsArray().Where(round => (double)round!["replicasFinalised"]! >= LatencyQuorum).Select(r => r!)];

    private static int Unfinished(JsonNode rounds) => rounds.AsArray().Count - Finished(rounds).Count;

    /// <summary>The median of a phase over the rounds that reached 2f + 1 finalised (NaN when none did).</summary>
    private static double FinishedMedian(JsonNode rounds, string name)
    {
        var finished = Finished(rounds);
        return finished.Count == 0 ? double.NaN : Stats.Median([.. finished.Select(round => (double)round[name]!)]);
    }

    /// <summary>The operator's command the latency benchmark timed: the operator tool's since it has one, `cairn op`'s
    /// in older results.</summary>
    private static string Command(JsonNode latency) =>
        latency["command"]?.GetValue<string>() ?? "cairn op dbCheckpoint create";

    /// <summary>The on-demand checkpoint latency table: per database size and mode, medians of each phase.</summary>
    private static void WriteCheckpointLatency(StringBuilder md, JsonNode latency, List<JsonNode> points)
    {
        md.AppendLine("## On-demand checkpoint latency vs database size (issues 7 and 17)");
        md.AppendLine();
        md.AppendLine(
            $"`bench/checkpoint-latency.sh`: one 4-replica cluster filled with {(int)latency["valueSize"]! / 1024} KiB "
                + $"puts to each size in turn; at each size `{Command(latency)}` is timed "
                + $"{(int)latency["rounds"]!} times on the idle cluster and {(int)latency["rounds"]!} times under "
                + $"continuous load from {(int)latency["clients"]!} clients, from the command being started (a new "
                + "process) until it returns, which it does once 2f + 1 replicas list the checkpoint as finalised. The "
                + "phases come from the CLI's output and the replicas' logs, in seconds since the start: *ordered* "
                + "(the CLI has f + 1 replies to the order), *boundary* (the first replica took the RocksDB checkpoint "
                + "at the boundary, event 2010), *2f+1 finalised* (the third replica logged it complete, event 2013). "
                + "*RocksDB call* and *finalisation* are the slowest replica's own timings of the checkpoint call "
                + "(on the consensus thread) and of finalisation (on its worker, after the boundary became stable). "
                + "Medians over the rounds (the phases after the order over the rounds that reached 2f + 1 "
                + "finalised; *not finalised* counts those that did not before the CLI returned); the machine's "
                + "1-minute load average is the median at the rounds' ends."
        );
        md.AppendLine();
        md.AppendLine(
            "| Database | Mode | CLI | End to end (s) | Max (s) | Not finalised | Ordered (s) | Boundary (s) | "
                + "2f+1 finalised (s) | RocksDB call (ms) | Finalisation (ms) | Load average |"
        );
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var point in points)
        {
            foreach (var (mode, label) in LatencyModes)
            {
                foreach (var (key, cli) in new[] { (mode + "Before", "before"), (mode, "this commit") })
                {
                    if (point[key] is not { } rounds)
                    {
                        continue;
                    }

                    double M(string name) => Stats.Median(Field(rounds, name));
                    double F(string name) => FinishedMedian(rounds, name);
                    md.AppendLine(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"| {Size(MiB(point))} | {label} | {cli} | {M("seconds"):F2} | "
                                + $"{Field(rounds, "seconds").Max():F2} | {Unfinished(rounds)} | "
                                + $"{M("orderedSeconds"):F2} | {M("boundaryTakenSeconds"):F2} | "
                                + $"{F("quorumFinalisedSeconds"):F2} | {M("rocksDbCheckpointMs"):F0} | "
                                + $"{F("finaliseMs"):F0} | {M("load"):F1} |"
                        )
                    );
                }
            }
        }

        md.AppendLine();
        if (latency["before"]?.GetValue<string>() is { Length: > 0 } before)
        {
            md.AppendLine(
                $"*before* is the CLI given in `CAIRN_BENCH_BEFORE_CLI` ({before}), run alternately with this commit's "
                    + "on the same cluster, round by round."
            );
            md.AppendLine();
        }
    }

    /// <summary>The finalisation table (results of runs before it existed have none).</summary>
    private static void WriteFinaliseSizes(StringBuilder md, JsonNode finaliseSizes)
    {
        md.AppendLine("## Checkpoint finalisation vs database size (issue 17)");
        md.AppendLine("");
        md.AppendLine(
            "`Cairn.Benchmarks finalise-sizes` fills a ledger through the ledger API (8 random 1 KiB values per "
                + "block), then"
        );
        md.AppendLine(
            "`DbCheckpointManager` takes and finalises real checkpoints (from `OnStable` until its worker is idle: "
                + "verify, `checkpoint.json`,"
        );
        md.AppendLine(
            "fsync, rename, retention): the first of the chain, then later ones one block apart. \"Before\" adds, on "
                + "the same checkpoint,"
        );
        md.AppendLine(
            "the hashing finalisation did before the state digest was kept with each block: the whole chain (first "
                + "checkpoint) and a"
        );
        md.AppendLine(
            "SHA-256 over the whole state (every checkpoint). The last column is the state re-hash that `checkpoint "
                + "verify` and `restore` do."
        );
        md.AppendLine("");
        md.AppendLine(
            "| Database | First: now ms | First: before ms | Later: now ms (median) | Later: before ms | Re-hash ms |"
        );
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var f in finaliseSizes["sizes"]!.AsArray())
        {
            var first = (double)f!["firstFinaliseMs"]!;
            var later = f["laterFinaliseMs"]!.AsArray().Select(v => (double)v!).Order().ToArray();
            var laterMedian = later[later.Length / 2];
            md.AppendLine(
                $"| {Size((long)f["bytes"]!)} | {first:F0} | {first + (double)f["beforeFirstExtraMs"]!:F0} | "
                    + $"{laterMedian:F0} | {laterMedian + (double)f["beforeLaterExtraMs"]!:F0} | "
                    + $"{(double)f["stateRehashMs"]!:F0} |"
            );
        }

        md.AppendLine("");
    }

    private static string Size(long bytes) =>
        bytes >= 1L << 30
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F0} MiB");

    /// <summary>The Mean column of the BenchmarkDotNet row whose Durability is <paramref name="durability"/>, in μs
    /// (null when the table has no such row).</summary>
    private static double? AppendMeanMicroseconds(string table, string durability)
    {
        static string[] Cells(string row) =>
            [.. row.Split('|').Select(c => c.Replace("**", "", StringComparison.Ordinal).Trim())];
        var rows = table.Split('\n').Where(l => l.StartsWith('|')).Select(Cells).ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        var mean = Array.IndexOf(rows[0], "Mean");
        var column = Array.IndexOf(rows[0], "Durability");
        var row = rows.FirstOrDefault(r => column >= 0 && r.Length > column && r[column] == durability);
        var match = row is null || mean < 0 ? null : MeanCell().Match(row[mean]);
        if (match is null || !match.Success)
        {
            return null;
        }

        var value = double.Parse(
            match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal),
            CultureInfo.InvariantCulture
        );
        return match.Groups[2].Value switch
        {
            "ns" => value / 1000,
            "ms" => value * 1000,
            "s" => value * 1e6,
            _ => value,
        };
    }

    [GeneratedRegex(@"([0-9.,]+)\s*(ns|μs|us|ms|s)")]
    private static partial Regex MeanCell();
}
