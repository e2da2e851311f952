using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Cairn.Backup;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Benchmarks;

/// <summary>
/// DB checkpoint finalisation time against database size (issue 17, "Performance"): a ledger filled through the ledger
/// API to each size, then real checkpoints taken and finalised by <see cref="DbCheckpointManager"/> (from
/// <see cref="DbCheckpointManager.OnStable"/> until its worker is idle: verify, <c>checkpoint.json</c>, fsync, rename,
/// retention) — the first one of the chain, then later ones. Next to them, on the same checkpoint, the work the
/// finalisation did before the state digest was maintained with each block: the whole chain re-derived (first
/// checkpoint only) plus a SHA-256 over every (key, value) of the state (every checkpoint); and what <c>cairn
/// verify</c> and <c>cairn restore</c> still do, re-hashing the state into the multiset hash. Writes one JSON document.
/// </summary>
/// <remarks>Usage: <c>Cairn.Benchmarks finalise-sizes OUT.json SIZE_MIB[,SIZE_MIB...] LATER_REPEATS</c></remarks>
internal static class FinaliseSizeRun
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static int Run(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine(
                "usage: Cairn.Benchmarks finalise-sizes OUT.json SIZE_MIB[,SIZE_MIB...] LATER_REPEATS"
            );
            return 2;
        }

        var sizes = args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var repeats = int.Parse(args[2], CultureInfo.InvariantCulture);
        var results = sizes.Select(size => Measure(size, repeats)).ToList();
        File.WriteAllText(args[0], JsonSerializer.Serialize(new { sizes = results }, Json));
        return 0;
    }

    private static FinaliseResult Measure(int targetMiB, int repeats)
    {
        var scratch = BenchmarkData.CreateScratchDirectory("cairn-bench-finalise");
        try
        {
            var database = Path.Combine(scratch, "rocksdbdata");
            var build = CheckpointSizeRun.Time(() => CheckpointSizeRun.Build(database, targetMiB)) / 1000;
            var bytes = BenchmarkData.DirectorySize(database);
            Console.WriteLine($"// {targetMiB} MiB: built {bytes / (1024.0 * 1024.0):F0} MiB in {build:F0} s");

            var checkpoints = Path.Combine(scratch, "checkpoints");
            var finalise = FinaliseCheckpoints(database, checkpoints, 1 + repeats);
            // The first checkpoint taken (the directory also holds the manager's .pins).
            var first = DbCheckpointDirectory
                .Scan(checkpoints, chainId: null)
                .First(e => e.Kind == DbCheckpointEntryKind.Complete)
                .Directory;
            var oldFirst = CheckpointSizeRun.Time(() => OldFinaliseWork(first, wholeChain: true));
            var oldLater = CheckpointSizeRun.Time(() => OldFinaliseWork(first, wholeChain: false));
            var rehash = CheckpointSizeRun.Time(() =>
            {
                using var reader = RocksDbLedger.OpenReadOnly(first);
                _ = LedgerDigests.State(reader);
            });
            var later = finalise[1..];
            Console.WriteLine(
                $"// {targetMiB} MiB: finalise first {finalise[0]:F0} ms (before: +{oldFirst:F0} ms of hashing), "
                    + $"later median {CheckpointSizeRun.Median(later):F0} ms (before: +{oldLater:F0} ms), "
                    + $"verify/restore state re-hash {rehash:F0} ms"
            );
            return new FinaliseResult(targetMiB, bytes, build, finalise[0], later, oldFirst, oldLater, rehash);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Takes <paramref name="count"/> checkpoints, one block apart, each finalised with a certificate of its
    /// last block; returns each finalisation's milliseconds, the first of the chain first.</summary>
    private static double[] FinaliseCheckpoints(string database, string checkpoints, int count)
    {
        var random = new Random(11);
        var signer = SigningKey.Generate();
        using var ledger = RocksDbLedger.Open(database, new LedgerOptions(BenchmarkData.ChainId, Durability.Unsynced));
        using var metrics = new BackupMetrics();
        var settings = new DbCheckpointSettings { Path = checkpoints, MaxCheckpoints = count + 1 };
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
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var seq = new SeqNum(ledger.Head.LastSeqNum.Value + 1);
            var block = ledger.Append(
                new BlockProposal(
                    seq,
                    BenchmarkData.Timestamp,
                    [StateWrite.Put(BenchmarkData.Key(ulong.MaxValue - seq.Value), BenchmarkData.RandomValue(random))]
                )
            );
            if (manager.TakeAtBoundary(seq, DateTimeOffset.UtcNow, epoch: 0, ordered: true) != BoundaryOutcome.Taken)
            {
                throw new InvalidOperationException($"the checkpoint at seq {seq} was not taken");
            }

            var signature = new ReplicaSignature(
                new ReplicaId(0),
                signer.Sign(new CheckpointMessage(seq, block.Digest, new ReplicaId(0)).SigningBytes())
            );
            var started = Stopwatch.GetTimestamp();
            manager.OnStable(seq, new StableCheckpointCertificate(seq, block.Digest, [signature]));
            manager.WhenIdleAsync().GetAwaiter().GetResult();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var listed = manager.List();
            if (listed.Count == 0 || listed[^1].SeqNum != seq)
            {
                throw new InvalidOperationException($"the checkpoint at seq {seq} was not finalised");
            }
        }

        return times;
    }

    /// <summary>The hashing the finalisation did before: the whole chain re-derived (first checkpoint of a chain) and
    /// the state digest as it was, SHA-256 over every length-prefixed (key, value) in key order.</summary>
    private static void OldFinaliseWork(string checkpoint, bool wholeChain)
    {
        using var reader = RocksDbLedger.OpenReadOnly(checkpoint);
        if (wholeChain)
        {
            ChainVerifier.Verify(reader);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var writer = new CanonicalWriter(2048);
        foreach (var (key, value) in reader.ReadState())
        {
            writer.Clear();
            writer.WriteBytes(key).WriteBytes(value);
            hash.AppendData(writer.WrittenSpan);
        }

        _ = hash.GetHashAndReset();
    }

    private sealed record FinaliseResult(
        int TargetMiB,
        long Bytes,
        double BuildSeconds,
        double FirstFinaliseMs,
        double[] LaterFinaliseMs,
        double BeforeFirstExtraMs,
        double BeforeLaterExtraMs,
        double StateRehashMs
    );
}
