using System.Buffers.Binary;
using AwesomeAssertions;
using RocksDbSharp;

namespace Cairn.Backup.Tests;

/// <summary>What finalisation reads: the checkpoint's head block, however far behind the previous checkpoint
/// is.</summary>
public sealed class FinalisationTests
{
    [Fact]
    public async Task Finalisation_reads_only_the_head_block_and_leaves_the_blocks_below_it_to_verify()
    {
        // bench/checkpoint-latency.sh found it: with 8 GiB written since the previous checkpoint, re-deriving those
        // blocks held an on-demand checkpoint past the CLI's two minutes. Here a block between the previous checkpoint
        // (20) and this one (40) is gone from the taken checkpoint before it is finalised: finalisation never reads it,
        // and checkpoint verify, which re-derives the whole history, refuses the checkpoint.
        await using var h = new BackupHarness();
        await h.RunStableTo(20);
        h.RunTo(40);
        var taken = Path.Combine(h.CheckpointDir, "40.tmp");
        DeleteBlock(taken, 25);

        (await h.StableAsync(40)).Should().BeTrue();

        h.Manager.List().Select(c => c.SeqNum.Value).Should().Equal(20UL, 40UL);
        var verification = CheckpointVerifier.Verify(Path.Combine(h.CheckpointDir, "40"), keys: null);
        verification.FirstFailure!.Name.Should().Be(CheckpointVerifier.ChainCheck);
    }

    private static void DeleteBlock(string database, ulong id)
    {
        var families = new ColumnFamilies();
        foreach (var name in new[] { "blocks", "state", "metadata" })
        {
            families.Add(name, new ColumnFamilyOptions());
        }

        using var db = RocksDb.Open(new DbOptions(), database, families);
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, id); // the ledger's block key (src/Cairn.Ledger/LedgerKeys.cs)
        db.Get(key, db.GetColumnFamily("blocks")).Should().NotBeNull();
        db.Remove(key, db.GetColumnFamily("blocks"));
    }
}
