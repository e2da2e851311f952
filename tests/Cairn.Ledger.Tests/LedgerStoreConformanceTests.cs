using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Ledger.Tests;

/// <summary>What every ledger store must do; one subclass per implementation (neo's StoreTest pattern).</summary>
public abstract class LedgerStoreConformanceTests : IDisposable
{
    protected const string Chain = "conformance-chain";

    private ILedgerStore? _store;

    private ILedgerStore Ledger => _store ??= CreateStore();

    protected abstract ILedgerStore CreateStore();

    [Fact]
    public void An_emptyLedger_is_at_genesis()
    {
        Ledger.Head.Should().Be(new LedgerHead(BlockId.Genesis, LedgerDigests.Genesis(Chain), SeqNum.Zero));
        Ledger.ChainId.Should().Be(Chain);
        Ledger.GetBlock(new BlockId(1)).Should().BeNull();
        Ledger.ReadBlocks(new BlockId(1)).Should().BeEmpty();
    }

    [Fact]
    public void Appended_blocks_are_numbered_chained_and_readable()
    {
        var first = Ledger.Append(Blocks.Put(1, ("a", "1")));
        var second = Ledger.Append(Blocks.Put(5, ("b", "2")));

        first.Id.Should().Be(new BlockId(1));
        first.PreviousDigest.Should().Be(LedgerDigests.Genesis(Chain));
        second.Id.Should().Be(new BlockId(2));
        second.PreviousDigest.Should().Be(first.Digest);
        Ledger.Head.Should().Be(new LedgerHead(new BlockId(2), second.Digest, new SeqNum(5)));

        var read = Ledger.GetBlock(new BlockId(2))!;
        read.Digest.Should().Be(second.Digest);
        read.SeqNum.Should().Be(new SeqNum(5));
        read.Timestamp.Should().Be(DateTimeOffset.UnixEpoch.AddSeconds(5));
        read.Writes.Should().ContainSingle().Which.Key.Should().Equal(Blocks.Bytes("b"));
        Ledger.ReadBlocks(new BlockId(1)).Select(b => b.Id.Value).Should().Equal(1UL, 2UL);
        Ledger.ReadBlocks(new BlockId(2)).Select(b => b.Id.Value).Should().Equal(2UL);
    }

    [Fact]
    public void State_holds_the_latest_value_and_deletes_remove_keys()
    {
        Ledger.Append(Blocks.Put(1, ("a", "1"), ("b", "1")));
        Ledger.Append(
            new BlockProposal(
                new SeqNum(2),
                DateTimeOffset.UnixEpoch,
                [StateWrite.Put(Blocks.Bytes("a"), Blocks.Bytes("2")), StateWrite.Delete(Blocks.Bytes("b"))]
            )
        );

        Ledger.GetValue(Blocks.Bytes("a")).Should().Equal(Blocks.Bytes("2"));
        Ledger.GetValue(Blocks.Bytes("b")).Should().BeNull();
        Ledger.GetValue(Blocks.Bytes("never")).Should().BeNull();
        Ledger.ReadState().Select(kv => kv.Key).Should().HaveCount(1);
    }

    [Fact]
    public void State_is_read_in_bytewise_key_order()
    {
        Ledger.Append(
            new BlockProposal(
                new SeqNum(1),
                DateTimeOffset.UnixEpoch,
                [StateWrite.Put([0xff], [1]), StateWrite.Put([0x01, 0x02], [2]), StateWrite.Put([0x01], [3])]
            )
        );

        Ledger.ReadState().Select(kv => Convert.ToHexString(kv.Key)).Should().Equal("01", "0102", "FF");
        Ledger.ReadState([0x01]).Select(kv => Convert.ToHexString(kv.Key)).Should().Equal("01", "0102");
        Ledger.ReadState([0x02]).Should().BeEmpty();
    }

    [Fact]
    public void Metadata_is_written_with_the_block_and_on_its_own()
    {
        Ledger.Append(Blocks.Put(1, ("a", "1")), [new MetadataWrite("consensus.view", [7])]);
        Ledger.GetMetadata("consensus.view").Should().Equal(7);

        Ledger.WriteMetadata([new MetadataWrite("consensus.view", [8]), new MetadataWrite("other", [1])]);
        Ledger.WriteMetadata([new MetadataWrite("other", null)]);
        Ledger.GetMetadata("consensus.view").Should().Equal(8);
        Ledger.GetMetadata("other").Should().BeNull();
    }

    [Fact]
    public void Sync_keeps_the_head_and_state_as_they_were()
    {
        Blocks.AppendMany(Ledger, 3);
        var head = Ledger.Head;

        Ledger.Sync();

        Ledger.Head.Should().Be(head);
        ChainVerifier.Verify(Ledger).Head.Should().Be(head);
    }

    [Fact]
    public void Metadata_is_listed_by_prefix_in_key_order()
    {
        Ledger.WriteMetadata([
            new MetadataWrite("consensus.slot/2", [2]),
            new MetadataWrite("consensus.slot/1", [1]),
            new MetadataWrite("consensus.view", [9]),
            new MetadataWrite("other", [0]),
        ]);

        Ledger
            .ReadMetadata("consensus.slot/")
            .Select(kv => kv.Key)
            .Should()
            .Equal("consensus.slot/1", "consensus.slot/2");
        Ledger.ReadMetadata("consensus.").Should().HaveCount(3);
        Ledger.ReadMetadata("nothing").Should().BeEmpty();
    }

    [Fact]
    public void A_proposal_that_does_not_follow_the_head_is_refused_and_nothing_changes()
    {
        Ledger.Append(Blocks.Put(3, ("a", "1")));
        var head = Ledger.Head;

        var act = () => Ledger.Append(Blocks.Put(3, ("a", "2")));

        act.Should().Throw<ArgumentException>().WithMessage("*sequence number 3*");
        Ledger.Head.Should().Be(head);
        Ledger.GetValue(Blocks.Bytes("a")).Should().Equal(Blocks.Bytes("1"));
    }

    [Fact]
    public void A_bad_key_or_reserved_metadata_is_refused_and_nothing_changes()
    {
        var emptyKey = () =>
            Ledger.Append(
                new BlockProposal(
                    new SeqNum(1),
                    DateTimeOffset.UnixEpoch,
                    [StateWrite.Put(Blocks.Bytes("ok"), [1]), StateWrite.Put([], [1])]
                )
            );
        var hugeKey = () =>
            Ledger.Append(
                new BlockProposal(
                    new SeqNum(1),
                    DateTimeOffset.UnixEpoch,
                    [StateWrite.Put(new byte[StateWrite.MaxKeySize + 1], [1])]
                )
            );
        var reserved = () => Ledger.Append(Blocks.Put(1, ("ok", "1")), [new MetadataWrite("cairn.head", [0])]);

        emptyKey.Should().Throw<ArgumentException>();
        hugeKey.Should().Throw<ArgumentException>();
        reserved.Should().Throw<ArgumentException>().WithMessage("*reserved*");
        Ledger.Head.LastBlockId.Should().Be(BlockId.Genesis);
        Ledger.GetValue(Blocks.Bytes("ok")).Should().BeNull();
    }

    [Fact]
    public void The_chain_verifies_and_equal_histories_give_equal_digests_in_every_store()
    {
        Blocks.AppendMany(Ledger, 50);
        using var reference = new InMemoryLedger(Chain);
        Blocks.AppendMany(reference, 50);

        var verification = ChainVerifier.Verify(Ledger);

        verification.BlocksChecked.Should().Be(50);
        verification.Head.Should().Be(reference.Head);
        LedgerDigests.State(Ledger).Should().Be(LedgerDigests.State(reference));
    }

    [Fact]
    public void Equal_states_reached_by_different_histories_have_equal_state_digests_but_different_chains()
    {
        Ledger.Append(Blocks.Put(1, ("a", "1"), ("b", "2")));
        using var other = new InMemoryLedger(Chain);
        other.Append(Blocks.Put(1, ("b", "2")));
        other.Append(Blocks.Put(2, ("a", "1")));

        LedgerDigests.State(Ledger).Should().Be(LedgerDigests.State(other));
        Ledger.Head.LastDigest.Should().NotBe(other.Head.LastDigest);
    }

    [Fact]
    public void The_maintained_state_digest_equals_the_one_recomputed_after_puts_overwrites_and_deletes()
    {
        Ledger.StateDigest.Should().Be(LedgerDigests.State(Ledger)).And.Be(StateHash.EmptyDigest);
        byte[] K(string key) => Blocks.Bytes(key);
        BlockProposal[] blocks =
        [
            Blocks.Put(1, ("a", "1"), ("b", "1"), ("c", "1")),
            Blocks.Put(2, ("a", "2")),
            new(new SeqNum(3), DateTimeOffset.UnixEpoch, [StateWrite.Delete(K("b")), StateWrite.Delete(K("absent"))]),
            new(
                new SeqNum(4),
                DateTimeOffset.UnixEpoch,
                [StateWrite.Put(K("c"), K("2")), StateWrite.Delete(K("c")), StateWrite.Put(K("d"), K("1"))]
            ),
            new(new SeqNum(5), DateTimeOffset.UnixEpoch, [StateWrite.Delete(K("a")), StateWrite.Put(K("a"), K("3"))]),
        ];

        foreach (var proposal in blocks)
        {
            var block = Ledger.Append(proposal);

            var recomputed = LedgerDigests.State(Ledger);
            Ledger.StateDigest.Should().Be(recomputed);
            block.StateDigest.Should().Be(recomputed);
            Ledger.GetBlock(block.Id)!.StateDigest.Should().Be(recomputed);
        }

        Ledger
            .ReadState()
            .Select(kv => (Blocks.Text(kv.Key), Blocks.Text(kv.Value)))
            .Should()
            .Equal(("a", "3"), ("d", "1"));
    }

    [Fact]
    public void Install_stores_a_block_that_re_derives_and_refuses_one_whose_state_digest_differs()
    {
        using var source = new InMemoryLedger(Chain);
        Blocks.AppendMany(source, 3);
        foreach (var block in source.ReadBlocks(new BlockId(1)))
        {
            Ledger.Install(block).Digest.Should().Be(block.Digest);
        }

        var honest = source.Append(Blocks.Put(4, ("x", "1")));
        var lying = Block.Create(honest.Id, honest.PreviousDigest, Blocks.Put(4, ("x", "1")), Digest.Compute("x"u8));
        var before = Ledger.Head;

        var act = () => Ledger.Install(lying);

        act.Should().Throw<BlockMismatchException>().WithMessage("*received block 4*state digest*not installed*");
        Ledger.Head.Should().Be(before);
        Ledger.GetValue(Blocks.Bytes("x")).Should().BeNull();
        Ledger.StateDigest.Should().Be(LedgerDigests.State(Ledger));
        Ledger.Install(honest).Digest.Should().Be(honest.Digest);
    }

    public void Dispose()
    {
        _store?.Dispose();
        DisposeStorage();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeStorage() { }
}

public sealed class InMemoryLedgerConformanceTests : LedgerStoreConformanceTests
{
    protected override ILedgerStore CreateStore() => new InMemoryLedger(Chain);
}

/// <summary>The RocksDB store, in a fresh directory per test, with the durability of the subclass.</summary>
public abstract class RocksDbLedgerConformanceTests(Durability durability) : LedgerStoreConformanceTests
{
    private readonly TempDirectory _dir = new();

    protected override ILedgerStore CreateStore() =>
        RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions(Chain, durability));

    protected override void DisposeStorage() => _dir.Dispose();
}

public sealed class SyncedRocksDbLedgerConformanceTests() : RocksDbLedgerConformanceTests(Durability.Synced);

public sealed class UnsyncedRocksDbLedgerConformanceTests() : RocksDbLedgerConformanceTests(Durability.Unsynced);
