using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Ledger.Tests;

/// <summary>The simulator's crash model: a power loss keeps what was synced and a prefix of the writes after it, each
/// write whole or not at all.</summary>
public sealed class InMemoryLedgerPowerLossTests
{
    [Fact]
    public void A_power_loss_undoes_every_write_since_the_last_sync()
    {
        using var ledger = new InMemoryLedger("chain");
        ledger.Append(Blocks.Put(1, ("a", "1"), ("b", "1")), [new MetadataWrite("consensus.view", [1])]);
        ledger.Sync();
        var synced = (ledger.Head, ledger.StateDigest);

        ledger.Append(Blocks.Put(2, ("a", "2"), ("c", "2")), [new MetadataWrite("consensus.view", [2])]);
        ledger.WriteMetadata([new MetadataWrite("consensus.slot.3", [3]), new MetadataWrite("consensus.view", null)]);
        ledger.UnsyncedWriteCount.Should().Be(2);

        ledger.LoseUnsyncedWrites(kept: 0);

        (ledger.Head, ledger.StateDigest).Should().Be(synced);
        ledger.GetBlock(new BlockId(2)).Should().BeNull();
        ledger.GetValue(Blocks.Bytes("a")).Should().Equal(Blocks.Bytes("1"));
        ledger.GetValue(Blocks.Bytes("c")).Should().BeNull();
        ledger.GetMetadata("consensus.view").Should().Equal([1]);
        ledger.GetMetadata("consensus.slot.3").Should().BeNull();
        ledger.UnsyncedWriteCount.Should().Be(0);
        // The chain goes on from the synced head as if the lost writes had never been made.
        ledger.Append(Blocks.Put(2, ("a", "3"))).Id.Should().Be(new BlockId(2));
    }

    [Fact]
    public void A_power_loss_keeps_a_prefix_of_the_unsynced_writes()
    {
        using var ledger = new InMemoryLedger("chain");
        ledger.Append(Blocks.Put(1, ("a", "1")));
        var afterFirst = (ledger.Head, ledger.StateDigest);
        ledger.Append(Blocks.Put(2, ("a", "2")), [new MetadataWrite("consensus.view", [2])]);

        ledger.LoseUnsyncedWrites(kept: 1);

        (ledger.Head, ledger.StateDigest).Should().Be(afterFirst);
        ledger.GetValue(Blocks.Bytes("a")).Should().Equal(Blocks.Bytes("1"));
        ledger.GetMetadata("consensus.view").Should().BeNull();
    }

    [Fact]
    public void A_synced_metadata_write_makes_it_and_every_write_before_it_survive_a_power_loss()
    {
        using var ledger = new InMemoryLedger("chain");
        ledger.Append(Blocks.Put(1, ("a", "1")));
        ledger.Append(Blocks.Put(2, ("a", "2")));
        ledger.WriteMetadata([new MetadataWrite("consensus.slot.3", [3])], sync: true);
        var synced = (ledger.Head, ledger.StateDigest);

        ledger.LoseUnsyncedWrites(kept: 0);

        (ledger.Head, ledger.StateDigest).Should().Be(synced);
        ledger.GetValue(Blocks.Bytes("a")).Should().Equal(Blocks.Bytes("2"));
        ledger.GetMetadata("consensus.slot.3").Should().Equal([3]);
    }
}
