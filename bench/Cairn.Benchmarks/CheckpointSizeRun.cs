using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cairn.Backup;
using Cairn.Core;
using Cairn.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Benchmarks;

/// <summary>
/// Checkpoint creation time against database size, in one process so every method sees the same database: Cairn's
/// checkpoint as a replica takes it at a boundary (<see cref="DbCheckpointManager.TakeAtBoundary"/>: disk guard,
/// then the ledger's RocksDB checkpoint into <c>&lt;id&gt;.tmp</c>; what the request path waits for), RocksDB's own
/// checkpoint call through RocksDbSharp, and <c>cp -a</c> of the database directory. Not a BenchmarkDotNet class:
/// a 10 GB database is built once and measured by all three methods, and writes one JSON document of raw timings.
/// </summary>
/// <remarks>Usage: <c>Cairn.Benchmarks checkpoint-sizes OUT.json SIZE_MIB[,SIZE_MIB...] CHECKPOINT_REPEATS
/// COPY_REPEATS</c></remarks>
internal static class CheckpointSizeRun
{
    /// <summary>State writes of 1 KiB per block: a batch of client puts, as a replica under load appends.</summary>
    private const int WritesPerBlock = 8;

    /// <summary>Bytes one block adds to the flushed database (each value is stored in the block and in the
    /// state).</summary>
    private const long BytesPerBlock = WritesPerBlock * 2L * (BenchmarkData.ValueSize + 40);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine(
                "usage: Cairn.Benchmarks checkpoint-sizes OUT.json SIZE_MIB[,SIZE_MIB...] CHECKPOINT_REPEATS "
                    + "COPY_REPEATS"
            );
            return 2;
        }

        var sizes = args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var repeats = int.Parse(args[2], CultureInfo.InvariantCulture);
        var copyRepeats = int.Parse(args[3], CultureInfo.InvariantCulture);
        var results = sizes.Select(size => Measure(size, repeats, copyRepeats)).ToList();
        File.WriteAllText(args[0], JsonSerializer.Serialize(new { sizes = results }, Json));
        return 0;
    }

    private static SizeResult Measure(int targetMiB, int repeats, int copyRepeats)
    {
        var scratch = BenchmarkData.CreateScratchDirectory("cairn-bench-sizes");
        try
        {
            var database = Path.Combine(scratch, "rocksdbdata");
            var timer = Stopwatch.StartNew();
            Build(database, targetMiB);
            var buildSeconds = timer.Elapsed.TotalSeconds;
            var bytes = BenchmarkData.DirectorySize(database);
            var files = Directory.GetFiles(database);
            Console.WriteLine(
                $"// {targetMiB} MiB: built {bytes / (1024.0 * 1024.0):F0} MiB in {files.Length} files in "
                    + $"{buildSeconds:F0} s"
            );

            var cairn = MeasureCairn(database, Path.Combine(scratch, "checkpoints"), repeats);
            var raw = MeasureRaw(database, scratch, repeats);
            var copy = Repeat(
                copyRepeats,
                i =>
                {
                    var target = Path.Combine(scratch, $"cp-{i}");
                    var ms = Time(() => CpA.Copy(database, target));
                    Directory.Delete(target, recursive: true);
                    return ms;
                }
            );
            Console.WriteLine(
                $"// {targetMiB} MiB: median cairn {Median(cairn):F2} ms, raw {Median(raw):F2} ms, cp -a "
                    + $"{Median(copy):F0} ms"
            );
            return new SizeResult(
                targetMiB,
                bytes,
                files.Length,
                files.Count(f => f.EndsWith(".sst", StringComparison.Ordinal)),
                buildSeconds,
                cairn,
                raw,
                copy
            );
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Unsynced appends of <see cref="WritesPerBlock"/> random 1 KiB values per block, then a flush of every
    /// column family, so the data sits in SST files as on a replica that has run a while.</summary>
    internal static void Build(string database, int targetMiB)
    {
        var random = new Random(7);
        var blocks = (ulong)(targetMiB * 1024L * 1024L / BytesPerBlock);
        using var ledger = RocksDbLedger.Open(database, new LedgerOptions(BenchmarkData.ChainId, Durability.Unsynced));
        for (ulong n = 1; n <= blocks; n++)
        {
            var writes = new StateWrite[WritesPerBlock];
            for (var w = 0; w < WritesPerBlock; w++)
            {
                writes[w] = StateWrite.Put(
                    BenchmarkData.Key((n * WritesPerBlock) + (ulong)w),
                    BenchmarkData.RandomValue(random)
                );
            }

            ledger.Append(new BlockProposal(new SeqNum(n), BenchmarkData.Timestamp, writes));
        }

        ledger.Flush();
    }

    /// <summary>Each repeat appends one more block (so each checkpoint has a new id, and a small write-ahead log to
    /// copy, as on a live replica) and asks the manager for an on-demand checkpoint at that block's sequence
    /// number.</summary>
    private static double[] MeasureCairn(string database, string checkpoints, int repeats)
    {
        var random = new Random(11);
        using var ledger = RocksDbLedger.Open(database, new LedgerOptions(BenchmarkData.ChainId, Durability.Unsynced));
        using var metrics = new BackupMetrics();
        var settings = new DbCheckpointSettings { Path = checkpoints, MaxCheckpoints = 100 };
        using var manager = new DbCheckpointManager(
            settings,
            ledger,
            BenchmarkData.ChainId,
            FileSystemFreeSpace.Instance,
            TimeProvider.System,
            NullLogger.Instance,
            metrics
        );
        manager.Recover();
        return Repeat(
            repeats,
            _ =>
            {
                var seq = new SeqNum(ledger.Head.LastSeqNum.Value + 1);
                ledger.Append(
                    new BlockProposal(
                        seq,
                        BenchmarkData.Timestamp,
                        [
                            StateWrite.Put(
                                BenchmarkData.Key(ulong.MaxValue - seq.Value),
                                BenchmarkData.RandomValue(random)
                            ),
                        ]
                    )
                );
                BoundaryOutcome? outcome = null;
                var ms = Time(() =>
                {
                    outcome = manager.TakeAtBoundary(seq, DateTimeOffset.UtcNow, epoch: 0, ordered: true);
                });
                return outcome == BoundaryOutcome.Taken
                    ? ms
                    : throw new InvalidOperationException($"the checkpoint at seq {seq} was not taken: {outcome}");
            }
        );
    }

    private static double[] MeasureRaw(string database, string scratch, int repeats)
    {
        using var db = RawRocksDb.Open(database);
        return Repeat(
            repeats,
            i =>
            {
                var target = Path.Combine(scratch, $"raw-{i}");
                var ms = Time(() =>
                {
                    using var checkpoint = db.Checkpoint();
                    checkpoint.Save(target);
                });
                Directory.Delete(target, recursive: true);
                return ms;
            }
        );
    }

    private static double[] Repeat(int count, Func<int, double> measure) =>
        [.. Enumerable.Range(0, count).Select(measure)];

    internal static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    internal static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    private sealed record SizeResult(
        int TargetMiB,
        long Bytes,
        int Files,
        int SstFiles,
        double BuildSeconds,
        double[] CairnMs,
        double[] RawMs,
        double[] CpAMs
    );
}
