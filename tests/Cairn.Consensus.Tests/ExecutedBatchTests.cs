using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

/// <summary>An executed seq's batch stays on disk only (docs/consensus.md, "What a replica persists"): peers that
/// need it still get it.</summary>
public sealed class ExecutedBatchTests
{
    [Fact]
    public void A_fetch_for_an_executed_seqs_batch_is_answered_from_its_stored_record()
    {
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        var digest = h.Persisted[1].OfType<ProposalRecord>().Single().Proposal.Digest;
        var fetch = h.Sign(3, new FetchBatch(new SeqNum(1), digest, new ReplicaId(3)));

        var outputs = h.Deliver(1, new MessageReceived(new ReplicaId(3), fetch));

        outputs
            .OfType<LoadBatch>()
            .Should()
            .ContainSingle("the batch left memory once executed")
            .Which.Should()
            .Be(new LoadBatch(new ReplicaId(3), new SeqNum(1), digest));
        var answer = h.Outputs[1].OfType<Send>().Last();
        answer.To.Should().Be(new ReplicaId(3));
        answer.Message.Should().BeOfType<BatchBody>().Which.Batch.Requests.Should().ContainSingle();
    }

    [Fact]
    public void A_replica_that_missed_a_seq_its_peers_executed_gets_the_proposal_from_their_disks_and_executes_it()
    {
        var h = new Harness { Filter = (_, to, _) => to != 3 };
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Executed[0].Should().ContainSingle();
        h.Executed[3].Should().BeEmpty();
        h.Filter = (_, _, _) => true;

        // Replica 3 reports twice, an interval apart, that it is stuck at seq 0: its peers retransmit what they have
        // for seq 1.
        var stuck = h.Sign(3, new StatusMessage(new ViewNum(0), true, SeqNum.Zero, SeqNum.Zero, new ReplicaId(3)));
        for (var round = 0; round < 2; round++)
        {
            h.AdvanceWithout(3, h.Options[0].StatusInterval);
            for (var peer = 0; peer < 3; peer++)
            {
                h.Deliver(peer, new MessageReceived(new ReplicaId(3), stuck));
            }
        }

        h.Outputs[0].OfType<LoadBatch>().Should().Contain(l => l.AsPrePrepare && l.Seq == new SeqNum(1));
        h.Flush();
        h.Executed[3].Should().ContainSingle().Which.Requests.Should().ContainSingle();
    }

    [Fact]
    public void After_every_peer_restarted_a_replica_that_missed_a_seq_they_executed_still_gets_it()
    {
        var h = new Harness { Filter = (_, to, _) => to != 3 };
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Filter = (_, _, _) => true;
        for (var peer = 0; peer < 3; peer++)
        {
            h.Replicas[peer] = new Replica(
                h.Options[peer],
                new ReplicaRecovery(h.Persisted[peer], new SeqNum(1), h.Digests[peer], [])
            );
        }

        var stuck = h.Sign(3, new StatusMessage(new ViewNum(0), true, SeqNum.Zero, SeqNum.Zero, new ReplicaId(3)));
        for (var round = 0; round < 2; round++)
        {
            h.AdvanceWithout(3, h.Options[0].StatusInterval);
            for (var peer = 0; peer < 3; peer++)
            {
                h.Deliver(peer, new MessageReceived(new ReplicaId(3), stuck));
            }
        }

        h.Flush();
        h.Executed[3].Should().ContainSingle("the peers' recovered slot still holds their proposal and votes");
    }
}
