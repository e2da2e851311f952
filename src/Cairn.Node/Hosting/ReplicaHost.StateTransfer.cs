using Cairn.Consensus;
using Cairn.Ledger;

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
                        InstallFetchedBlocks(fetch, head, fetched.IsCompletedSuccessfully ? fetched.Result : null)
                    ),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default
            );
    }

    private void InstallFetchedBlocks(FetchState fetch, LedgerHead fetchedFrom, IReadOnlyList<Block>? blocks)
    {
        _fetching = null;
        if (blocks is null || _ledger.Head != fetchedFrom)
        {
            // No peer could serve it, or the ledger moved meanwhile: consensus retries FetchState on its own timer.
            NodeLog.StateTransferFailed(_logger, fetch.TargetSeq.Value);
            return;
        }

        foreach (var block in blocks)
        {
            try
            {
                // Re-derived from this replica's own state: a block whose state digest this state does not give is
                // refused before anything is written.
                _ledger.Install(block);
            }
            catch (BlockMismatchException e)
            {
                NodeLog.StateTransferRefused(_logger, fetch.TargetSeq.Value, e.Message);
                _unsynced |= _ledger.Head != fetchedFrom;
                return; // consensus retries FetchState on its own timer, from the head installed so far
            }

            // The wedge point may have been ordered in the fetched blocks; a replica that arrives by state transfer
            // must stop where the others stop and checkpoint the target boundary like them.
            _wedgePoint = _executor.WedgePoint;
            TakeCheckpointAtBoundary(block.SeqNum);
        }

        _unsynced = true;
        var head = _ledger.Head;
        NodeLog.StateTransferred(_logger, blocks.Count, head.LastSeqNum.Value);
        Process(
            new StateTransferCompleted(
                head.LastSeqNum,
                head.LastDigest,
                _executor.LatestReplies(),
                blocks[^1].Timestamp,
                _wedgePoint
            )
        );
    }
}
