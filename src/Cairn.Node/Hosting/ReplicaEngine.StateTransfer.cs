using Cairn.Consensus;
using Cairn.Consensus.Messages;
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
            FinaliseIfCertified(block);
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

    private void RememberTransferCertificate(StableCheckpointCertificate certificate)
    {
        if (certificate.Seq <= _ledger.Head.LastSeqNum)
        {
            return;
        }

        _transferCertificates[certificate.Seq.Value] = certificate;
        if (_transferCertificates.Count > MaxTransferCertificates)
        {
            _transferCertificates.RemoveAt(0);
        }
    }

    /// <summary>Right after <paramref name="block"/> is installed (and its DB checkpoint taken, if one was decided
    /// there): when consensus fetched state against a certificate of that seq, the block's state is stable, and the
    /// checkpoint manager finalises with that certificate as the peers did. Consensus may hold a newer certificate by
    /// now (the peers certified more while this replica was fetching) and then never announces this seq; when it does,
    /// the manager finds the checkpoint already on its way.</summary>
    private void FinaliseIfCertified(Block block)
    {
        while (_transferCertificates.Count > 0 && _transferCertificates.Keys[0] <= block.SeqNum.Value)
        {
            var certificate = _transferCertificates.Values[0];
            _transferCertificates.RemoveAt(0);
            if (certificate.Seq == block.SeqNum && certificate.StateDigest == block.Digest)
            {
                _checkpoints?.OnStable(block.SeqNum, certificate);
            }
        }
    }

    /// <summary>Notes that the transfer for <paramref name="fetch"/> ended without reaching its target; consensus asks
    /// again on its own timer.</summary>
    public void StateTransferEnded(FetchState fetch) => NodeLog.StateTransferFailed(_logger, fetch.TargetSeq.Value);
}
