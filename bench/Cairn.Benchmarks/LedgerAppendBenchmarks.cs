using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Benchmarks;

/// <summary>
/// Block append on a fresh ledger: one <see cref="StateWrite"/> of a 1 KiB incompressible value per block, one
/// <see cref="RocksDbLedger.Append"/> (one RocksDB <c>WriteBatch</c>) per block, single-threaded. An iteration appends
/// <see cref="BlocksPerIteration"/> blocks to a ledger created in <see cref="CreateLedger"/>, so the table shows the
/// time per block; blocks/s = 1 s / Mean.
/// </summary>
[Config(typeof(AppendConfig))]
public class LedgerAppendBenchmarks
{
    /// <summary>2,000 blocks write about 4 MiB (each value is stored twice: in the block and in the state family),
    /// below RocksDB's 64 MiB memtable, so no flush falls inside an iteration. The count is shared by both
    /// durabilities:
    /// unsynced it is tens of milliseconds, synced (one WAL fsync per block) a few seconds on a busy disk.</summary>
    public const int BlocksPerIteration = 2_000;

    private BlockProposal[] _proposals = [];
    private string _scratch = string.Empty;
    private string _ledgerPath = string.Empty;
    private RocksDbLedger? _ledger;
    private int _iteration;

    [Params(Durability.Unsynced, Durability.Synced)]
    public Durability Durability { get; set; }

    [GlobalSetup]
    public void BuildProposals()
    {
        _scratch = BenchmarkData.CreateScratchDirectory("cairn-bench-append");
        var random = new Random(42);
        _proposals = new BlockProposal[BlocksPerIteration];
        for (var i = 0; i < BlocksPerIteration; i++)
        {
            var n = (ulong)i + 1;
            _proposals[i] = new BlockProposal(
                new SeqNum(n),
                BenchmarkData.Timestamp,
                [StateWrite.Put(BenchmarkData.Key(n), BenchmarkData.RandomValue(random))]
            );
        }
    }

    [IterationSetup]
    public void CreateLedger()
    {
        _ledgerPath = Path.Combine(_scratch, $"ledger-{_iteration++}");
        _ledger = RocksDbLedger.Open(_ledgerPath, new LedgerOptions(BenchmarkData.ChainId, Durability));
    }

    [Benchmark(OperationsPerInvoke = BlocksPerIteration, Description = "Append (1 × 1 KiB write)")]
    public Block Append()
    {
        var ledger = _ledger!;
        Block last = null!;
        foreach (var proposal in _proposals)
        {
            last = ledger.Append(proposal);
        }

        return last;
    }

    [IterationCleanup]
    public void DeleteLedger()
    {
        _ledger?.Dispose();
        _ledger = null;
        Directory.Delete(_ledgerPath, recursive: true);
    }

    [GlobalCleanup]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    /// <summary>One append loop per iteration (a fresh ledger each time), so no pilot stage and no unrolling.</summary>
    private sealed class AppendConfig : ManualConfig
    {
        public AppendConfig() =>
            AddJob(
                Job.Default.WithStrategy(RunStrategy.Monitoring)
                    .WithLaunchCount(1)
                    .WithWarmupCount(2)
                    .WithIterationCount(15)
                    .WithInvocationCount(1)
                    .WithUnrollFactor(1)
                    .WithId("Append")
            );
    }
}
