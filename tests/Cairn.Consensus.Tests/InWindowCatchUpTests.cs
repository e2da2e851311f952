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

        // Stuck twice at 0: the first chunk.
        DeliverStatusOfReplica3(h, executed: 0);
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
