using AwesomeAssertions;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.ClientProtocol.Tests;

public sealed class ReplyCollectorTests
{
    private static readonly IReadOnlyList<VerificationKey> Keys =
    [
        .. Enumerable.Range(0, 7).Select(i => TestKeys.Replica(i).PublicKey),
    ];

    private static ClientReply Reply(int replica, string result, ulong request = 1) =>
        ClientReply
            .Create(5, request, System.Text.Encoding.UTF8.GetBytes(result))
            .SignAs(new ReplicaId(replica), TestKeys.Replica(replica));

    [Fact]
    public void F_matching_replies_are_not_enough_and_f_plus_1_are()
    {
        var collector = new ReplyCollector(2, Keys, 5, 1);
        collector.Add(Reply(0, "ok")).Should().BeFalse();
        collector.Add(Reply(1, "ok")).Should().BeFalse();
        collector.Add(Reply(2, "ok")).Should().BeTrue();
        collector.Accepted!.Result.ToArray().Should().Equal("ok"u8.ToArray());
    }

    [Fact]
    public void A_read_needs_2f_plus_1_matching_replies_so_f_plus_1_stale_answers_at_the_wedge_are_not_accepted()
    {
        // f = 1: replica 3 has not executed the unwedge and the write after it, replica 2 lies; 0 and 1 have both.
        var collector = new ReplyCollector(1, Keys, 5, 1, readOnly: true);
        collector.Add(Reply(3, "frozen")).Should().BeFalse();
        collector.Add(Reply(2, "frozen")).Should().BeFalse("f+1 stale answers are not enough for a read");
        collector.Add(Reply(0, "written")).Should().BeFalse();
        collector.Add(Reply(1, "written")).Should().BeFalse();
        collector.Accepted.Should().BeNull();

        // Replica 3 catches up and orders the read like the others.
        var retried = new ReplyCollector(1, Keys, 5, 1, readOnly: true);
        foreach (var replica in new[] { 0, 1, 3 })
        {
            retried.Add(Reply(replica, "written"));
        }

        retried.Accepted!.Result.ToArray().Should().Equal("written"u8.ToArray());
    }

    [Fact]
    public void Repeated_forged_foreign_and_disagreeing_replies_do_not_count()
    {
        var collector = new ReplyCollector(1, Keys, 5, 1);
        collector.Add(Reply(0, "ok")).Should().BeFalse();
        collector.Add(Reply(0, "ok")).Should().BeFalse();
        var forged = ClientReply.Create(5, 1, "ok"u8).SignAs(new ReplicaId(1), TestKeys.Replica(2));
        collector.Add(forged).Should().BeFalse();
        collector.Add(Reply(1, "ok", request: 2)).Should().BeFalse();
        collector.Add(Reply(1, "lie")).Should().BeFalse();
        collector.Accepted.Should().BeNull();
        collector.Add(Reply(2, "ok")).Should().BeTrue();
    }
}
