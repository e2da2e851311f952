using Cairn.Consensus;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

public sealed partial class ReplicaEngine
{
    /// <summary>
    /// Installs the blocks fetched for <paramref name="fetch"/> (null when no peer could serve them), each re-derived
    /// from this replica's own state, then tells consensus where the ledger now stands. Refuses them all when the
    /// ledger moved since <paramref name="fetchedFrom"/>; stops at the first block that does not re-derive. Either way
    /// consensus asks again on its own timer for what is still missing.
    /// </summary>
    public void InstallFetchedBlocks(FetchState fetch, LedgerHead fetchedFrom, IReadOnlyList<Block>? blocks)
    {
        if (blocks is null || blocks.Count == 0 || _ledger.Head != fetchedFrom)
        {
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
        Handle(
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
