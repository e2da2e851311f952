using Cairn.Consensus;

namespace Cairn.Node.Hosting;

public sealed partial class ReplicaHost
{
    private FetchState? _fetching;

    /// <summary>Starts fetching the state consensus asked for, unless a fetch for that target or beyond is running.
    /// The blocks are installed on the consensus thread, then consensus hears <see
    /// cref="StateTransferCompleted"/>.</summary>
    private void StartStateTransfer(FetchState fetch)
    {
        if (_fetcher is null || (_fetching is { } running && running.TargetSeq >= fetch.TargetSeq))
        {
            return;
        }

        _fetching = fetch;
        NodeLog.StateTransferNeeded(_logger, fetch.TargetSeq.Value, _ledger.Head.LastSeqNum.Value);
        var head = _ledger.Head;
        // The completion runs however the fetch ends (a fault included), so _fetching is always cleared and the
        // replica's next FetchState, which starts with another signer, is not ignored for ever.
        _ = _fetcher
            .FetchAsync(
                head,
                fetch.TargetSeq,
                fetch.CertifiedDigest,
                fetch.Peers,
                _options.MaxViewChangeTimeout,
                CancellationToken.None
            )
            .ContinueWith(
                fetched =>
                    Enqueue(() =>
                    {
                        _fetching = null;
                        _engine.InstallFetchedBlocks(
                            fetch,
                            head,
                            fetched.IsCompletedSuccessfully ? fetched.Result : null
                        );
                    }),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default
            );
    }
}
