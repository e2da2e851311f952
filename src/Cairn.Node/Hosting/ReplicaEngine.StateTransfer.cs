using Cairn.Consensus;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

public sealed partial class ReplicaEngine
{
    /// <summary>
    /// Installs one verified segment of the blocks fetched for <paramref name="fetch"/> (<see cref="BlockTransfer"/>),
    /// each re-derived from this replica's own state; after the <paramref name="last"/> one, tells consensus where the
    /// ledger now stands. False, with nothing more installed, when the ledger no longer ends where the segment starts
    /// (another transfer got there first) or at the first block that does not re-derive: consensus asks again on its
    /// own timer for what is still missing, from the head installed so far.
    /// </summary>
    public bool InstallFetchedBlocks(FetchState fetch, IReadOnlyList<Block> blocks, bool last)
    {
        if (blocks.Count == 0 || _ledger.Head.LastDigest != blocks[0].PreviousDigest)
        {
            return false;
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
                return false; // the blocks installed before it stay: they re-derived and chain to the certified digest
            }

            _unsynced = true;
            // The wedge point may have been ordered in the fetched blocks; a replica that arrives by state transfer
            // must stop where the others stop and checkpoint the target boundary like them.
            _wedgePoint = _executor.WedgePoint;
            TakeCheckpointAtBoundary(block.SeqNum);
        }

        var head = _ledger.Head;
        NodeLog.StateTransferred(_logger, blocks.Count, head.LastSeqNum.Value);
        if (last)
        {
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

        return true;
    }

    /// <summary>Notes that the transfer for <paramref name="fetch"/> ended without reaching its target; consensus asks
    /// again on its own timer.</summary>
    public void StateTransferEnded(FetchState fetch) => NodeLog.StateTransferFailed(_logger, fetch.TargetSeq.Value);
}
