using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>The transmissions a replica keeps waiting for replies: each transmission of a request that still waits
/// gets the reply, one that stopped waiting does not, and nothing stays behind once a request is answered or every
/// transmission of it gave up.</summary>
public sealed class ClientReplyWaitersTests
{
    private readonly ClientReplyWaiters _waiters = new();

    [Fact]
    public void Every_transmission_of_a_request_gets_the_reply_and_nothing_is_left_waiting()
    {
        var first = new TaskReplyWaiter();
        var retransmission = new TaskReplyWaiter();
        var otherRequest = new TaskReplyWaiter();
        _waiters.Add(1, 10, first);
        _waiters.Add(1, 10, retransmission);
        _waiters.Add(1, 11, otherRequest);

        Deliver(1, 10).Should().Be(2);

        first.Reply.IsCompletedSuccessfully.Should().BeTrue();
        retransmission.Reply.IsCompletedSuccessfully.Should().BeTrue();
        otherRequest.Reply.IsCompleted.Should().BeFalse();
        _waiters.Take(1, 10).Should().BeNull("the request was answered");
        _waiters.Count.Should().Be(1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_transmission_that_stopped_waiting_gets_nothing_and_the_others_still_get_the_reply(int leaving)
    {
        TaskReplyWaiter[] transmissions = [new(), new(), new()];
        foreach (var waiter in transmissions)
        {
            _waiters.Add(7, 3, waiter);
        }

        _waiters.Remove(7, 3, transmissions[leaving]);
        _waiters.Count.Should().Be(2);
        Deliver(7, 3).Should().Be(2);

        transmissions.Select(t => t.Reply.IsCompleted).Should().Equal(transmissions.Select((_, i) => i != leaving));
        _waiters.Count.Should().Be(0);
    }

    [Fact]
    public void A_request_whose_every_transmission_gave_up_leaves_nothing_behind()
    {
        var first = new TaskReplyWaiter();
        var second = new TaskReplyWaiter();
        _waiters.Add(2, 5, first);
        _waiters.Add(2, 5, second);

        _waiters.Remove(2, 5, second);
        _waiters.Remove(2, 5, first);
        _waiters.Remove(2, 5, first);

        _waiters.Count.Should().Be(0);
        _waiters.Take(2, 5).Should().BeNull();
    }

    /// <summary>Delivers a reply to request <paramref name="request"/> of <paramref name="client"/> as the host does;
    /// returns how many transmissions got it.</summary>
    private int Deliver(ulong client, ulong request)
    {
        var reply = ClientReply.Create(client, request, [1]);
        var delivered = 0;
        for (var waiter = _waiters.Take(client, request); waiter is not null; waiter = waiter.Next)
        {
            waiter.Deliver(reply);
            delivered++;
        }

        return delivered;
    }
}
