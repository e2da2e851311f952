using AwesomeAssertions;

namespace Cairn.ClientProtocol.Tests;

public sealed class ReplyCollectorTests
{
    private static ClientReply Reply(string result, ulong request = 1) =>
        ClientReply.Create(5, request, System.Text.Encoding.UTF8.GetBytes(result));

    [Fact]
    public void F_matching_replies_are_not_enough_and_f_plus_1_are()
    {
        var collector = new ReplyCollector(2, 7, 5, 1);
        collector.Add(0, Reply("ok")).Should().BeFalse();
        collector.Add(1, Reply("ok")).Should().BeFalse();
        collector.Add(2, Reply("ok")).Should().BeTrue();
        collector.Accepted!.Result.ToArray().Should().Equal("ok"u8.ToArray());
    }

    [Fact]
    public void A_read_needs_2f_plus_1_matching_replies_so_f_plus_1_stale_answers_at_the_wedge_are_not_accepted()
    {
        // f = 1: replica 3 has not executed the unwedge and the write after it, replica 2 lies; 0 and 1 have both.
        var collector = new ReplyCollector(1, 4, 5, 1, readOnly: true);
        collector.Add(3, Reply("frozen")).Should().BeFalse();
        collector.Add(2, Reply("frozen")).Should().BeFalse("f+1 stale answers are not enough for a read");
        collector.Add(0, Reply("written")).Should().BeFalse();
        collector.Add(1, Reply("written")).Should().BeFalse();
        collector.Accepted.Should().BeNull();

        // Replica 3 catches up and orders the read like the others.
        var retried = new ReplyCollector(1, 4, 5, 1, readOnly: true);
        foreach (var replica in new[] { 0, 1, 3 })
        {
            retried.Add(replica, Reply("written"));
        }

        retried.Accepted!.Result.ToArray().Should().Equal("written"u8.ToArray());
    }

    [Fact]
    public void Repeated_foreign_and_disagreeing_replies_and_unknown_replicas_do_not_count()
    {
        var collector = new ReplyCollector(1, 4, 5, 1);
        collector.Add(0, Reply("ok")).Should().BeFalse();
        collector.Add(0, Reply("ok")).Should().BeFalse("a replica answering twice counts once");
        collector.Add(4, Reply("ok")).Should().BeFalse("there is no replica 4");
        collector.Add(-1, Reply("ok")).Should().BeFalse();
        collector.Add(1, ClientReply.Create(6, 1, "ok"u8)).Should().BeFalse("a reply to another client");
        collector.Add(1, Reply("ok", request: 2)).Should().BeFalse();
        collector.Add(1, Reply("lie")).Should().BeFalse();
        collector.Accepted.Should().BeNull();
        collector.Add(2, Reply("ok")).Should().BeTrue();
    }
}
