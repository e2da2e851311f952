using AwesomeAssertions;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Node.Execution;

namespace Cairn.Node.Tests;

public sealed class ConsensusStateStoreTests
{
    [Fact]
    public void Slot_records_are_pruned_in_the_same_write_as_the_stable_record_that_supersedes_them()
    {
        var ledger = new CountingLedger();
        var store = new ConsensusStateStore(ledger);
        store.Persist([.. Enumerable.Range(1, 5).Select(s => new SlotRecord(new SeqNum((ulong)s), null, null, null))]);
        var certificate = new StableCheckpointCertificate(new SeqNum(4), Digest.Compute([4]), []);
        var writesBefore = ledger.MetadataWrites;

        store.Persist(
            [new StableCheckpointRecord(certificate), new SlotRecord(new SeqNum(3), null, null, null)],
            pruneSlotsThrough: new SeqNum(4)
        );

        ledger
            .MetadataWrites.Should()
            .Be(writesBefore + 1, "a crash between two writes could keep neither the slots nor the certificate");
        var records = store.Load();
        records
            .OfType<StableCheckpointRecord>()
            .Should()
            .ContainSingle()
            .Which.Certificate.Seq.Should()
            .Be(new SeqNum(4));
        records.OfType<SlotRecord>().Select(r => r.Seq.Value).Should().Equal(5UL);
    }

    [Fact]
    public void A_slots_batch_is_pruned_with_it_without_reading_batches_back_even_by_a_store_that_only_loaded_them()
    {
        var ledger = new CountingLedger();
        new ConsensusStateStore(ledger).Persist([.. Enumerable.Range(1, 3).SelectMany(s => RecordsOfSlot((ulong)s))]);
        var restarted = new ConsensusStateStore(ledger);
        restarted.Load().OfType<ProposalRecord>().Should().HaveCount(3);
        var readsBefore = ledger.MetadataReads;

        restarted.Persist(
            [
                new StableCheckpointRecord(new StableCheckpointCertificate(new SeqNum(2), Digest.Compute([2]), [])),
                .. RecordsOfSlot(4),
            ],
            pruneSlotsThrough: new SeqNum(2)
        );

        ledger.MetadataReads.Should().Be(readsBefore);
        var records = restarted.Load();
        records.OfType<ProposalRecord>().Select(r => r.Proposal.Seq.Value).Should().BeEquivalentTo([3UL, 4UL]);
        records.OfType<SlotRecord>().Select(r => r.Seq.Value).Should().BeEquivalentTo([3UL, 4UL]);
    }

    [Fact]
    public void A_synced_persist_is_one_synced_write_and_with_nothing_to_write_a_sync()
    {
        var ledger = new CountingLedger();
        var store = new ConsensusStateStore(ledger);

        store.Persist([new SlotRecord(new SeqNum(1), null, null, null)], sync: true);

        (ledger.MetadataWrites, ledger.SyncedMetadataWrites, ledger.Syncs).Should().Be((1, 1, 0));

        store.Persist([], sync: true);

        (ledger.MetadataWrites, ledger.Syncs).Should().Be((1, 1), "what was written before it must still be durable");
    }

    private static PersistentRecord[] RecordsOfSlot(ulong seq)
    {
        var proposal = new PrePrepare(new ViewNum(0), new SeqNum(seq), 0, Batch.NoOp, new ReplicaId(0)).SignWith(
            SigningKey.Generate()
        );
        return
        [
            new ProposalRecord((PrePrepare)proposal),
            new SlotRecord(new SeqNum(seq), ((PrePrepare)proposal).WithoutBatch(), null, null),
        ];
    }
}
