using Cairn.Consensus.Messages;

namespace Cairn.Consensus;

/// <summary>State transfer: a replica behind the stable checkpoint fetches certified state instead of replaying
/// slots.</summary>
public sealed partial class Replica
{
    private StableCheckpointCertificate? _transferCert;
    private DateTimeOffset _transferRetryAt;
    private ulong _transferAttempts;

    private void StartStateTransfer(StableCheckpointCertificate certificate, bool force = false)
    {
        if (!force && _transferCert is { } current && current.Seq >= certificate.Seq)
        {
            return;
        }

        _transferCert = certificate;
        _transferRetryAt = _now + _options.ViewChangeTimeout;

        // Each attempt starts with the next signer: a stalling or lying signer delays one attempt, not every one.
        var signers = certificate.Signers.Where(r => r != Id).Distinct().OrderBy(r => r.Value).ToList();
        var first = signers.Count == 0 ? 0 : (int)(_transferAttempts++ % (ulong)signers.Count);
        Emit(new FetchState(certificate, [.. signers.Skip(first), .. signers.Take(first)]));
    }

    private void RetryStateTransfer()
    {
        if (_transferCert is { } certificate && _now >= _transferRetryAt)
        {
            StartStateTransfer(certificate, force: true);
        }
    }

    private void OnStateTransferCompleted(StateTransferCompleted completed)
    {
        if (
            _transferCert is not { } certificate
            || completed.Seq != certificate.Seq
            || completed.StateDigest != certificate.StateDigest
        )
        {
            Drop(DropReason.StateTransferMismatch);
            return;
        }

        _transferCert = null;
        _lastExecuted = completed.Seq;
        _lastReported = completed.Seq;
        if (completed.LastConsensusTime is { } time)
        {
            _lastConsensusTimeMs = Math.Max(_lastConsensusTimeMs, time.ToUnixTimeMilliseconds());
        }

        RestoreReplies(completed.LatestReplies);
        SetWedgePoint(completed.WedgePoint);
        foreach (var seq in _slots.Keys.Where(s => s <= completed.Seq.Value).ToList())
        {
            _slots.Remove(seq);
        }

        RebuildProposedKeys();
        if (_lastProposed < _lastExecuted)
        {
            _lastProposed = _lastExecuted;
        }

        OnOwnCheckpoint(completed.Seq, completed.StateDigest);
        TryExecute();
        TryPropose();
    }
}
