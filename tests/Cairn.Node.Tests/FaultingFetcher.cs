using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>A state fetcher whose first fetch faults and whose later ones find no peer to serve them; it reports
/// the second fetch it is asked for.</summary>
internal sealed class FaultingFetcher : IStateFetcher
{
    private int _calls;

    private readonly TaskCompletionSource<(SeqNum TargetSeq, Digest CertifiedDigest)> _second = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );

    public Task<(SeqNum TargetSeq, Digest CertifiedDigest)> SecondCall => _second.Task;

    public Task<IReadOnlyList<Block>?> FetchAsync(
        LedgerHead head,
        SeqNum targetSeq,
        Digest certifiedDigest,
        IReadOnlyList<ReplicaId> peers,
        TimeSpan stallTimeout,
        CancellationToken cancellationToken
    )
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            return Task.FromException<IReadOnlyList<Block>?>(new IOException("the peer's stream broke"));
        }

        _second.TrySetResult((targetSeq, certifiedDigest));
        return Task.FromResult<IReadOnlyList<Block>?>(null);
    }
}
