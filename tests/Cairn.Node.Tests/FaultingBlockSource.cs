using System.Runtime.CompilerServices;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>A block source whose first read faults and whose later ones serve nothing; it reports the target of the
/// second read it is asked for.</summary>
internal sealed class FaultingBlockSource : IBlockSource
{
    private int _calls;

    private readonly TaskCompletionSource<SeqNum> _second = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<SeqNum> SecondCall => _second.Task;

    public async IAsyncEnumerable<Block> ReadAsync(
        ReplicaId peer,
        BlockId from,
        SeqNum toSeq,
        TimeSpan stallTimeout,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        await Task.Yield();
        if (Interlocked.Increment(ref _calls) == 1)
        {
            throw new IOException("the peer's stream broke");
        }

        _second.TrySetResult(toSeq);
        yield break;
    }
}
