using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Cairn.Node.Hosting;

/// <summary>
/// Work waiting for the consensus thread, in one bounded queue per source: each replica (by the signed sender of its
/// messages), the clients, and the host's own work (ticks, state-transfer results, waiters). The consensus thread takes
/// from the sources in turn, so a flood from one source fills only its own queue, where the excess is refused and
/// counted, while the others keep their share of the thread.
/// </summary>
internal sealed class InputQueues
{
    private readonly ConcurrentQueue<Action>[] _queues;
    private readonly int[] _counts;
    private readonly int[] _capacities;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true }
    );
    private int _next;

    /// <param name="capacities">The most items each source may have queued, by source index.</param>
    public InputQueues(IReadOnlyList<int> capacities)
    {
        _capacities = [.. capacities];
        _queues = [.. capacities.Select(_ => new ConcurrentQueue<Action>())];
        _counts = new int[capacities.Count];
    }

    /// <summary>Queues <paramref name="work"/> for <paramref name="source"/>; false when that source's queue is
    /// full. Unless <paramref name="wake"/>, a waiting consensus thread is not woken for it: it is taken with the next
    /// group something else wakes the thread for (at the latest the next tick).</summary>
    public bool TryAdd(int source, Action work, bool wake = true)
    {
        if (Interlocked.Increment(ref _counts[source]) > _capacities[source])
        {
            Interlocked.Decrement(ref _counts[source]);
            return false;
        }

        _queues[source].Enqueue(work);
        if (wake)
        {
            _signal.Writer.TryWrite(true);
        }

        return true;
    }

    /// <summary>Items queued for <paramref name="source"/>.</summary>
    public int Count(int source) => Volatile.Read(ref _counts[source]);

    /// <summary>Waits until something may be queued; false once <paramref name="cancellationToken"/> fired.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        _signal.Reader.TryRead(out _);
    }

    /// <summary>Moves up to <paramref name="max"/> items into <paramref name="into"/>, one per source in turn, starting
    /// after the source the previous call ended with; returns how many.</summary>
    public int Drain(List<Action> into, int max)
    {
        var taken = 0;
        var idle = 0;
        while (taken < max && idle < _queues.Length)
        {
            var source = _next;
            _next = (_next + 1) % _queues.Length;
            if (_queues[source].TryDequeue(out var work))
            {
                Interlocked.Decrement(ref _counts[source]);
                into.Add(work);
                taken++;
                idle = 0;
            }
            else
            {
                idle++;
            }
        }

        return taken;
    }
}
