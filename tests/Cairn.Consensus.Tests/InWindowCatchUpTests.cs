using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

/// <summary>A replica that missed seqs its peers still hold in their window (a restart, a partition) catches up by
/// retransmission (Replica.Status.cs): a chunk once it is stuck, the next as soon as it took that one in.</summary>
public sealed class InWindowCatchUpTests
{
    private const int Missed = 48; // three retransmission chunks, all below the first checkpoint

    [Fact]
    public void A_peer_that_took_in_a_retransmission_and_is_still_behind_gets_the_next_slots_on_its_next_status()
    {
        var h = ClusterWithReplica3Behind();

        // Stuck at 0 for an interval: the first chunk.
        DeliverStatusOfReplica3(h, executed: 0);
        h.AdvanceWithout(3, h.Options[0].StatusInterval);
        DeliverStatusOfReplica3(h, executed: 0);
        h.Flush();
        h.Executed[3].Should().HaveCount(16);

        // One STATUS each after taking a chunk in: the next one, without being stuck again.
        DeliverStatusOfReplica3(h, executed: 16);
        h.Flush();
        h.Executed[3].Should().HaveCount(32);
        DeliverStatusOfReplica3(h, executed: 32);
        h.Flush();
        h.Executed[3].Should().HaveCount(Missed);
        h.Executed[3].Select(e => e.Seq.Value).Should().Equal(Enumerable.Range(1, Missed).Select(s => (ulong)s));
    }

    [Fact]
    public void A_peer_that_is_behind_but_progressing_gets_no_retransmission()
    {
        var h = ClusterWithReplica3Behind();
        var before = h.Outputs[0].Count;

        // Replica 3 (at 0 in its STATUS at start-up) reports progress at every STATUS and was never stuck: what it
        // lacks is still on its way to it.
        foreach (var executed in new ulong[] { 4, 8, 12, 16 })
        {
            DeliverStatusOfReplica3(h, executed);
        }

        h.Outputs[0]
            .Skip(before)
            .Where(o => o is LoadBatch || (o is Send send && send.To == new ReplicaId(3)))
            .Should()
            .BeEmpty();
    }

    [Fact]
    public void A_peer_that_reports_the_same_seq_twice_in_quick_succession_is_not_stuck()
    {
        var h = ClusterWithReplica3Behind();
        var before = h.Outputs[0].Count;

        // A slow replica's early STATUS can follow its last one closely: its peers wait half an interval of no progress
        // before they re-send what may still be on its way.
        DeliverStatusOfReplica3(h, executed: 0);
        DeliverStatusOfReplica3(h, executed: 0);
        h.Outputs[0]
            .Skip(before)
            .Where(o => o is LoadBatch || (o is Send send && send.To == new ReplicaId(3)))
            .Should()
            .BeEmpty();

        h.AdvanceWithout(3, h.Options[0].StatusInterval);
        DeliverStatusOfReplica3(h, executed: 0);
        h.Flush();
        h.Executed[3].Should().HaveCount(16, "half an interval later, at the same seq, it is stuck");
    }

    [Fact]
    public void A_replica_behind_its_peers_reports_each_executed_chunk_at_once_and_gets_the_next_one()
    {
        var h = ClusterWithReplica3Behind();
        var interval = h.Options[3].StatusInterval;

        // Replica 3's peers hold its STATUS of seq 0 from start-up: one interval until its next makes it stuck, then a
        // chunk per early STATUS (a tenth of an interval apart at most), not one per interval.
        var span = interval + (interval / 2);
        h.Advance(span, TimeSpan.FromMilliseconds(10));

        h.Executed[3].Should().HaveCount(Missed);
        h.Outputs[3]
            .OfType<Broadcast>()
            .Count(b => b.Message is StatusMessage)
            .Should()
            .BeLessThanOrEqualTo(2 + (int)(span / (interval / 10)), "early STATUS are at most ten per interval");
    }

    [Fact]
    public void A_replica_behind_its_peers_that_holds_the_next_proposal_reports_at_its_usual_interval()
    {
        // Replica 3 gets every PRE-PREPARE but no vote: it is behind its peers, slow rather than missing anything. An
        // early STATUS would only have its peers find it stuck and re-send what is already on its way.
        var votes = new List<(int From, ConsensusMessage Message)>();
        var h = new Harness(configure: o => o with { CheckpointWindowSize = 150 });
        h.Filter = (from, to, message) =>
        {
            if (to != 3 || message is PrePrepare or StatusMessage)
            {
                return true;
            }

            votes.Add((from, message));
            return false;
        };
        for (var id = 1; id <= Missed; id++)
        {
            h.Submit(Harness.Request(1, (ulong)id));
            h.Flush();
        }

        var interval = h.Options[3].StatusInterval;
        h.Advance(interval + (interval / 2), TimeSpan.FromMilliseconds(10)); // its peers' STATUS (48 executed) reach it
        h.Executed[3].Should().BeEmpty();

        // Right after one of its STATUS, the votes of seq 1 arrive: it executes seq 1, holding the proposal of seq 2.
        StepUntilNextStatusOfReplica3(h);
        foreach (var (from, vote) in votes.Where(v => v.Message is Prepare { Seq.Value: 1 } or Commit { Seq.Value: 1 }))
        {
            h.Deliver(3, new MessageReceived(new ReplicaId(from), vote));
        }

        h.Executed[3].Should().ContainSingle();
        StepUntilNextStatusOfReplica3(h).Should().BeGreaterThan(interval / 2, "its next STATUS is not early");
    }

    private static TimeSpan StepUntilNextStatusOfReplica3(Harness h)
    {
        var start = h.Now;
        var sent = h.Outputs[3].OfType<Broadcast>().Count(b => b.Message is StatusMessage);
        while (
            h.Outputs[3].OfType<Broadcast>().Count(b => b.Message is StatusMessage) == sent
            && h.Now - start <= 2 * h.Options[3].StatusInterval
        )
        {
            h.Advance(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
        }

        h.Outputs[3]
            .OfType<Broadcast>()
            .Count(b => b.Message is StatusMessage)
            .Should()
            .BeGreaterThan(sent, "a replica sends a STATUS at least once per interval");
        return h.Now - start;
    }

    private static Harness ClusterWithReplica3Behind()
    {
        var h = new Harness(configure: o => o with { CheckpointWindowSize = 150 }) { Filter = (_, to, _) => to != 3 };
        for (var id = 1; id <= Missed; id++)
        {
            h.Submit(Harness.Request(1, (ulong)id));
            h.Flush();
        }

        h.Executed[0].Should().HaveCount(Missed, "each request is its own seq");
        h.Executed[3].Should().BeEmpty();
        h.Filter = (_, _, _) => true;
        return h;
    }

    private static void DeliverStatusOfReplica3(Harness h, ulong executed)
    {
        var status = h.Sign(
            3,
            new StatusMessage(new ViewNum(0), true, SeqNum.Zero, new SeqNum(executed), new ReplicaId(3))
        );
        for (var peer = 0; peer < 3; peer++)
        {
            h.Deliver(peer, new MessageReceived(new ReplicaId(3), status));
        }
    }
}
