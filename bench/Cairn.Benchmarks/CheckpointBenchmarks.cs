using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Cairn.Core;
using Cairn.Ledger;
using RocksDbSharp;

namespace Cairn.Benchmarks;

/// <summary>
/// Online backup of a ledger of <see cref="DatabaseMiB"/> MiB: <see cref="RocksDbLedger.CreateCheckpoint"/> against
/// <c>cp -a</c> of the same database directory (the baseline, so Ratio reads as the speed-up), plus RocksDB's own
/// checkpoint call on the same database through RocksDbSharp, which the ledger wraps, and the ledger's checkpoint
/// while it is being written to: <see cref="UnflushedBlocks"/> unsynced appends before each checkpoint, which RocksDB
/// flushes from the memtable into new SST files as part of the checkpoint (the ledger passes RocksDB's default
/// <c>log_size_for_flush</c> of 0, "always flush"); and, for comparison, RocksDB's checkpoint of the same amount of
/// unflushed writes when told to copy the WAL instead of flushing.
/// Each iteration makes one copy into a new directory, deleted (untimed) after it.
/// </summary>
[Config(typeof(CheckpointConfig))]
public class CheckpointBenchmarks
{
    /// <summary>Bytes one benchmark block adds to the compacted database: the 1 KiB value twice (block and state
    /// families) plus keys, header and digest. Measured on a first build; the setup prints the real size.</summary>
    private const long BytesPerBlock = 2_170;

    /// <summary>Blocks appended (untimed) before each checkpoint of a ledger being written to: about 2 MiB left in
    /// the memtable, which the checkpoint flushes.</summary>
    private const int UnflushedBlocks = 1_000;

    private string _scratch = string.Empty;
    private string _databasePath = string.Empty;
    private string _copyPath = string.Empty;
    private RocksDbLedger? _ledger;
    private RocksDb? _rawDb;
    private int _iteration;
    private ulong _nextSeqNum;
    private readonly Random _random = new(7);

    [Params(100, 1024)]
    public int DatabaseMiB { get; set; }

    [GlobalSetup(Target = nameof(CopyWithCpA))]
    public void BuildDatabaseAndOpenLedger()
    {
        BuildDatabase();
        _ledger = RocksDbLedger.Open(_databasePath, new LedgerOptions(BenchmarkData.ChainId));
    }

    [GlobalSetup(Target = nameof(LedgerCreateCheckpoint))]
    public void BuildDatabaseAndCheckCheckpoint()
    {
        BuildDatabaseAndOpenLedger();

        // What is timed must be a usable backup: open one checkpoint and re-derive its whole hash chain.
        var probe = Path.Combine(_scratch, "probe");
        var head = _ledger!.CreateCheckpoint(probe);
        using (var checkpoint = RocksDbLedger.OpenReadOnly(probe))
        {
            var verified = ChainVerifier.Verify(checkpoint);
            if (verified.Head != head || verified.BlocksChecked != head.LastBlockId.Value)
            {
                throw new InvalidOperationException(
                    $"the checkpoint holds {verified.Head}, the ledger reported {head}"
                );
            }

            Console.WriteLine(
                $"// checkpoint verified: {verified.BlocksChecked} blocks, state digest "
                    + $"{LedgerDigests.State(checkpoint).ToHex()[..16]}…"
            );
        }

        Directory.Delete(probe, recursive: true);
    }

    [GlobalSetup(Target = nameof(RawRocksDbCheckpoint))]
    public void BuildDatabaseAndOpenRawDb()
    {
        BuildDatabase();
        _rawDb = RawRocksDb.Open(_databasePath);
    }

    [GlobalSetup(Target = nameof(LedgerCreateCheckpointWhileAppending))]
    public void BuildDatabaseAndOpenLedgerForAppends()
    {
        BuildDatabase();
        _ledger = RocksDbLedger.Open(_databasePath, new LedgerOptions(BenchmarkData.ChainId, Durability.Unsynced));
        _nextSeqNum = _ledger.Head.LastSeqNum.Value + 1;
    }

    [GlobalSetup(Target = nameof(RawRocksDbCheckpointCopyingWal))]
    public void BuildDatabaseAndOpenRawDbForWrites()
    {
        BuildDatabaseAndOpenRawDb();
        _nextSeqNum = (ulong)(DatabaseMiB * 1024L * 1024L / BytesPerBlock) + 1;
    }

    [IterationSetup(Targets = [nameof(CopyWithCpA), nameof(LedgerCreateCheckpoint), nameof(RawRocksDbCheckpoint)])]
    public void ChooseCopyPath() => _copyPath = Path.Combine(_scratch, $"copy-{_iteration++}");

    [IterationSetup(Target = nameof(LedgerCreateCheckpointWhileAppending))]
    public void AppendThenChooseCopyPath()
    {
        ChooseCopyPath();
        for (var i = 0; i < UnflushedBlocks; i++, _nextSeqNum++)
        {
            _ledger!.Append(
                new BlockProposal(
                    new SeqNum(_nextSeqNum),
                    BenchmarkData.Timestamp,
                    [StateWrite.Put(BenchmarkData.Key(_nextSeqNum), BenchmarkData.RandomValue(_random))]
                )
            );
        }
    }

    [Benchmark(Baseline = true, Description = "cp -a")]
    public void CopyWithCpA() => CpA.Copy(_databasePath, _copyPath);

    [Benchmark(Description = "RocksDbLedger.CreateCheckpoint")]
    public LedgerHead LedgerCreateCheckpoint() => _ledger!.CreateCheckpoint(_copyPath);

    /// <summary>Flushes what the previous iteration left (as the ledger's checkpoint does every time), so the WAL holds
    /// only this iteration's writes; then writes ledger-shaped unsynced batches straight to RocksDB (block, state
    /// value,
    /// a head-sized metadata entry: the bytes of a benchmark block), since the ledger does not expose its
    /// handle.</summary>
    [IterationSetup(Target = nameof(RawRocksDbCheckpointCopyingWal))]
    public void WriteBatchesThenChooseCopyPath()
    {
        ChooseCopyPath();
        var db = _rawDb!;
        RawRocksDb.FlushAll(db, _databasePath);
        var blocks = db.GetColumnFamily("blocks");
        var state = db.GetColumnFamily("state");
        var metadata = db.GetColumnFamily("metadata");
        var unsynced = new WriteOptions().SetSync(false);
        var block = new byte[BenchmarkData.ValueSize + 120];
        for (var i = 0; i < UnflushedBlocks; i++, _nextSeqNum++)
        {
            var key = BenchmarkData.Key(_nextSeqNum);
            _random.NextBytes(block);
            using var batch = new WriteBatch();
            batch.Put(key, block, blocks);
            batch.Put(key, BenchmarkData.RandomValue(_random), state);
            batch.Put("bench.head"u8.ToArray(), block.AsSpan(0, 48).ToArray(), metadata);
            db.Write(batch, unsynced);
        }
    }

    [Benchmark(Description = "CreateCheckpoint, 1,000 blocks unflushed")]
    public LedgerHead LedgerCreateCheckpointWhileAppending() => _ledger!.CreateCheckpoint(_copyPath);

    [Benchmark(Description = "RocksDbSharp Checkpoint().Save")]
    public void RawRocksDbCheckpoint()
    {
        using var checkpoint = _rawDb!.Checkpoint();
        checkpoint.Save(_copyPath);
    }

    [Benchmark(Description = "Save, 1,000 unflushed, WAL copied")]
    public void RawRocksDbCheckpointCopyingWal()
    {
        using var checkpoint = _rawDb!.Checkpoint();
        checkpoint.Save(_copyPath, logSizeForFlush: ulong.MaxValue);
    }

    [IterationCleanup]
    public void DeleteCopy()
    {
        if (Directory.Exists(_copyPath))
        {
            Directory.Delete(_copyPath, recursive: true);
        }
    }

    [GlobalCleanup]
    public void DeleteDatabase()
    {
        _ledger?.Dispose();
        _rawDb?.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    /// <summary>
    /// Fills a new ledger with unsynced appends of one random 1 KiB value per block, then flushes every column family
    /// and compacts it through RocksDbSharp directly (the ledger does not expose its handle), so all data sits in SST
    /// files, the WAL is empty and no background compaction runs while copies are timed.
    /// </summary>
    private void BuildDatabase()
    {
        _scratch = BenchmarkData.CreateScratchDirectory("cairn-bench-checkpoint");
        _databasePath = Path.Combine(_scratch, "ledger");
        var blocks = (ulong)(DatabaseMiB * 1024L * 1024L / BytesPerBlock);
        var timer = Stopwatch.StartNew();
        using (
            var ledger = RocksDbLedger.Open(
                _databasePath,
                new LedgerOptions(BenchmarkData.ChainId, Durability.Unsynced)
            )
        )
        {
            for (ulong n = 1; n <= blocks; n++)
            {
                ledger.Append(
                    new BlockProposal(
                        new SeqNum(n),
                        BenchmarkData.Timestamp,
                        [StateWrite.Put(BenchmarkData.Key(n), BenchmarkData.RandomValue(_random))]
                    )
                );
            }
        }

        var appended = timer.Elapsed;
        using (var db = RawRocksDb.Open(_databasePath))
        {
            RawRocksDb.FlushAll(db, _databasePath);
            foreach (var family in RawRocksDb.FamilyNames(_databasePath))
            {
                db.CompactRange(null, null, db.GetColumnFamily(family));
            }
        }

        var files = Directory.GetFiles(_databasePath);
        Console.WriteLine(
            $"// database: {blocks} blocks appended in {appended.TotalSeconds:F1} s, flushed and compacted in "
                + $"{(timer.Elapsed - appended).TotalSeconds:F1} s; "
                + $"{BenchmarkData.DirectorySize(_databasePath) / (1024.0 * 1024.0):F1} MiB in {files.Length} files, "
                + $"{files.Count(f => f.EndsWith(".sst", StringComparison.Ordinal))} of them SST, WAL "
                + files.Where(f => f.EndsWith(".log", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length)
                + " bytes"
        );
    }

    /// <summary>One copy per iteration (each into a new directory), so no pilot stage and no unrolling; Ratio shown
    /// as "N× faster" against <c>cp -a</c>.</summary>
    private sealed class CheckpointConfig : ManualConfig
    {
        public CheckpointConfig()
        {
            AddJob(
                Job.Default.WithStrategy(RunStrategy.Monitoring)
                    .WithLaunchCount(1)
                    .WithWarmupCount(2)
                    .WithIterationCount(20)
                    .WithInvocationCount(1)
                    .WithUnrollFactor(1)
                    .WithId("Checkpoint")
            );
            SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        }
    }
}
