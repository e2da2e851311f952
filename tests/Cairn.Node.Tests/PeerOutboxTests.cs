using AwesomeAssertions;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>What waits for one peer stays within its bounds in messages and in bytes, the oldest going first, and
/// nothing waits for a peer that cannot be reached: each drop is counted with its reason.</summary>
public sealed class PeerOutboxTests
{
    private readonly List<(string Reason, int Count)> _drops = [];

    [Fact]
    public void Past_the_byte_bound_the_oldest_messages_go_and_the_drop_is_counted()
    {
        var outbox = Outbox(maxMessages: 100, maxBytes: 1000);
        for (byte i = 0; i < 5; i++)
        {
            outbox.Add(Message(i, 300));
        }

        outbox.Bytes.Should().Be(900);
        Taken(outbox).Should().Equal(2, 3, 4);
        _drops.Should().Equal(("queue_full", 1), ("queue_full", 1));
        outbox.Bytes.Should().Be(0);
    }

    [Fact]
    public void Past_the_message_bound_the_oldest_messages_go()
    {
        var outbox = Outbox(maxMessages: 3, maxBytes: 1 << 20);
        for (byte i = 0; i < 5; i++)
        {
            outbox.Add(Message(i, 10));
        }

        Taken(outbox).Should().Equal(2, 3, 4);
        _drops.Sum(d => d.Count).Should().Be(2);
    }

    [Fact]
    public void A_message_larger_than_the_byte_bound_still_goes_alone()
    {
        var outbox = Outbox(maxMessages: 100, maxBytes: 1000);
        outbox.Add(Message(1, 10));
        outbox.Add(Message(2, 5000));

        Taken(outbox).Should().Equal(2);
        _drops.Should().Equal(("queue_full", 1));
    }

    [Fact]
    public void Nothing_waits_for_an_unreachable_peer_until_it_is_reachable_again()
    {
        var outbox = Outbox(maxMessages: 100, maxBytes: 1 << 20);
        outbox.Add(Message(1, 10));
        outbox.Add(Message(2, 10));

        outbox.Unreachable();
        outbox.Add(Message(3, 10));
        outbox.Count.Should().Be(0);
        outbox.Bytes.Should().Be(0);
        _drops.Should().Equal(("peer_unreachable", 2), ("peer_unreachable", 1));

        outbox.Reachable();
        outbox.Add(Message(4, 10));
        Taken(outbox).Should().Equal(4);
    }

    /// <summary>An outbox whose drops go to <see cref="_drops"/>.</summary>
    private PeerOutbox Outbox(int maxMessages, long maxBytes) =>
        new(maxMessages, maxBytes, (reason, count) => _drops.Add((reason, count)));

    private static byte[] Message(byte tag, int size)
    {
        var message = new byte[size];
        message[0] = tag;
        return message;
    }

    private static List<byte> Taken(PeerOutbox outbox)
    {
        var tags = new List<byte>();
        while (outbox.TryTake(out var message))
        {
            tags.Add(message[0]);
        }

        return tags;
    }
}
