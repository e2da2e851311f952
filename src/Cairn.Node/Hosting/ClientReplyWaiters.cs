namespace Cairn.Node.Hosting;

/// <summary>The transmissions waiting for a reply, by client and request: a client that retransmits while its first
/// transmission still waits gets an answer on each.</summary>
internal sealed class ClientReplyWaiters
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ulong Client, ulong Request), ReplyWaiter> _waiting = [];

    /// <summary>Transmissions waiting.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                var count = 0;
                foreach (var head in _waiting.Values)
                {
                    for (var waiter = head; waiter is not null; waiter = waiter.Next)
                    {
                        count++;
                    }
                }

                return count;
            }
        }
    }

    /// <summary>Adds <paramref name="waiter"/> for request <paramref name="request"/> of
    /// <paramref name="client"/>.</summary>
    public void Add(ulong client, ulong request, ReplyWaiter waiter)
    {
        lock (_lock)
        {
            waiter.Next = _waiting.GetValueOrDefault((client, request));
            _waiting[(client, request)] = waiter;
        }
    }

    /// <summary>Removes <paramref name="waiter"/> (it stopped waiting); no-op when it is no longer there.</summary>
    public void Remove(ulong client, ulong request, ReplyWaiter waiter)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue((client, request), out var head))
            {
                return;
            }

            if (head == waiter)
            {
                if (waiter.Next is { } next)
                {
                    _waiting[(client, request)] = next;
                }
                else
                {
                    _waiting.Remove((client, request));
                }

                return;
            }

            for (var previous = head; previous.Next is { } current; previous = current)
            {
                if (current == waiter)
                {
                    previous.Next = current.Next;
                    return;
                }
            }
        }
    }

    /// <summary>Removes and returns every transmission waiting for request <paramref name="request"/> of
    /// <paramref name="client"/>, chained by <see cref="ReplyWaiter.Next"/>; null when none waits.</summary>
    public ReplyWaiter? Take(ulong client, ulong request)
    {
        lock (_lock)
        {
            return _waiting.Remove((client, request), out var head) ? head : null;
        }
    }
}
