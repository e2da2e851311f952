using System.Threading.Channels;

namespace Cairn.Node.Hosting;

/// <summary>
/// The messages waiting to go to one peer, bounded by count and by bytes: past either bound the oldest go (consensus
/// retransmits what matters), so a slow or dead peer costs this replica at most the bound, whatever the messages weigh.
/// While the peer is unreachable nothing waits at all: it gets what it missed by retransmission or state transfer once
/// it is back, not as a backlog of stale messages whose signatures it would check one by one while catching up.
/// </summary>
internal sealed class PeerOutbox
{
    // Unbounded as a channel: the bounds are kept here, in bytes as well as in messages, which a channel cannot do.
    private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>();
    private readonly int _maxMessages;
    private readonly long _maxBytes;
    private readonly Action<string, int> _dropped;
    private int _count;
    private long _bytes;
    private volatile bool _unreachable;

    /// <summary>An outbox keeping at most <paramref name="maxMessages"/> messages and <paramref name="maxBytes"/>
    /// bytes (the newest message is kept whatever its size); <paramref name="dropped"/> hears each drop's reason
    /// (<c>queue_full</c>, <c>peer_unreachable</c>) and how many messages it took.</summary>
    public PeerOutbox(int maxMessages, long maxBytes, Action<string, int> dropped)
    {
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
        _dropped = dropped;
    }

    /// <summary>Messages waiting.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Bytes waiting.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Queues <paramref name="message"/>, dropping the oldest ones past the bounds; drops it instead while the
    /// peer is unreachable.</summary>
    public void Add(byte[] message)
    {
        if (_unreachable)
        {
            _dropped("peer_unreachable", 1);
            return;
        }

        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, message.Length);
        _messages.Writer.TryWrite(message);
        var over = 0;
        while ((Count > _maxMessages || Bytes > _maxBytes) && Count > 1 && TryTake(out _))
        {
            over++;
        }

        if (over > 0)
        {
            _dropped("queue_full", over);
        }
    }

    /// <summary>Takes the oldest message waiting; false when none is.</summary>
    public bool TryTake(out byte[] message)
    {
        if (!_messages.Reader.TryRead(out message!))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        Interlocked.Add(ref _bytes, -message.Length);
        return true;
    }

    /// <summary>Waits until a message waits; false once the outbox can no longer carry any.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        _messages.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>The peer cannot be reached: what waits is dropped, and so is everything added until
    /// <see cref="Reachable"/>.</summary>
    public void Unreachable()
    {
        _unreachable = true;
        var stale = 0;
        while (TryTake(out _))
        {
            stale++;
        }

        if (stale > 0)
        {
            _dropped("peer_unreachable", stale);
        }
    }

    /// <summary>A connection to the peer is up again: messages wait for it again.</summary>
    public void Reachable() => _unreachable = false;
}
