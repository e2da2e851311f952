using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

/// <summary>A wedge stops ordering at its point: no client request is ordered once it is known, nothing but
/// operator requests past the point, and no view change for the requests it refuses.</summary>
public sealed class WedgeTests
{
    private const int Window = 10;
    private static readonly SeqNum Point = new(Window);

    /// <summary>A cluster whose batch at seq 1 ordered a wedge at seq 10, filled up to it as the host asks.</summary>
    private static Harness WedgedAtTen()
    {
        var h = new Harness(configure: o => o with { CheckpointWindowSize = Window });
        h.Wedge = (new SeqNum(1), Point);
        h.Submit(Harness.Request(1, 1, "wedge stop"));
        h.Flush();
        for (var i = 0; i < h.N; i++)
        {
            h.Deliver(i, new RequestCheckpointSoon(new SeqNum(1)));
        }

        h.Flush();
        return h;
    }

    private static ClientRequest OperatorRequest(ulong client, ulong id) =>
        ClientRequest.Create(client, id, RequestFlags.Operator, "unwedge"u8, Harness.ClientKey(client));

    [Fact]
    public void Every_replica_stops_at_the_wedge_point_and_refused_writes_start_no_view_change()
    {
        var h = WedgedAtTen();

        h.Submit(Harness.Request(2, 1, "write while wedged"));
        h.Advance(TimeSpan.FromSeconds(30));

        h.Replicas.Should()
            .AllSatisfy(r => (r.LastExecuted, r.View, r.WedgePoint).Should().Be((Point, default(ViewNum), Point)));
        h.Replicas.Should().AllSatisfy(r => r.Drops[DropReason.Wedged].Should().Be(1));
        h.Executed.Should().AllSatisfy(e => e.SelectMany(x => x.Requests).Should().NotContain(r => r.ClientId == 2));
    }

    [Fact]
    public void Past_the_wedge_point_the_primary_orders_operator_requests_only()
    {
        var h = WedgedAtTen();
        h.Wedge = null; // the unwedge clears it

        h.Submit(OperatorRequest(3, 1));
        h.Flush();

        h.Replicas.Should().AllSatisfy(r => (r.LastExecuted, r.WedgePoint).Should().Be((Point.Next, (SeqNum?)null)));
        h.Executed[1][^1].Requests.Should().ContainSingle().Which.Flags.Should().Be(RequestFlags.Operator);
        h.Submit(Harness.Request(2, 1, "write after unwedge"));
        h.Flush();
        h.Replicas.Should().AllSatisfy(r => r.LastExecuted.Should().Be(new SeqNum(Window + 2)));
    }

    [Fact]
    public void A_backup_refuses_a_proposal_past_the_wedge_point_that_carries_client_requests()
    {
        var h = WedgedAtTen();
        var past = h.Sign(
            0,
            new PrePrepare(
                new ViewNum(0),
                Point.Next,
                h.Now.ToUnixTimeMilliseconds(),
                new Batch([Harness.Request(2, 1, "smuggled write")]),
                new ReplicaId(0)
            )
        );

        h.Deliver(1, new MessageReceived(past.Sender, past)).OfType<Broadcast>().Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.PastWedgePoint].Should().Be(1);
    }
}
