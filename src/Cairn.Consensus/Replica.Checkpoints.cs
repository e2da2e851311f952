using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>Checkpoints: CHECKPOINT votes, stable certificates, water marks and garbage collection.</summary>
public sealed partial class Replica
{
    // Per sender, at most this many checkpoint seqs above the stable one are tracked, so a liar cannot fill memory.
    private const int MaxCheckpointSeqsPerSender = 4;

    private readonly SortedDictionary<ulong, Dictionary<ReplicaId, CheckpointMessage>> _checkpointVotes = [];
    private readonly Dictionary<ulong, Digest> _ownDigests = [];
    private SeqNum _checkpointSoonTarget;
    private DateTimeOffset _checkpointSoonSince;
    private SeqNum _lastStableEmitted;

    private void OnOwnCheckpoint(SeqNum seq, Digest digest)
    {
        _ownDigests[seq.Value] = digest;
        if (seq < _low || (seq == _low && _lastStableEmitted >= seq))
        {
            return;
        }

        var message = Sign(new CheckpointMessage(seq, digest, Id));
        Broadcast(message);
        if (seq > _low)
        {
            RecordCheckpointVote(message);
        }

        MaybeEmitStable();
    }

    private void OnCheckpoint(CheckpointMessage checkpoint)
    {
        if (checkpoint.Seq.Value == 0 || checkpoint.Seq.Value % _window != 0 || checkpoint.Seq <= _low)
        {
            Drop(DropReason.StaleCheckpoint);
            return;
        }

        if (
            _checkpointVotes.TryGetValue(checkpoint.Seq.Value, out var votes)
            && votes.TryGetValue(checkpoint.Sender, out var existing)
        )
        {
            Drop(existing.StateDigest == checkpoint.StateDigest ? DropReason.Duplicate : DropReason.Equivocation);
            return;
        }

        if (!Authentic(checkpoint))
        {
            return;
        }

        RecordCheckpointVote(checkpoint);
    }

    private void RecordCheckpointVote(CheckpointMessage checkpoint)
    {
        if (!_checkpointVotes.TryGetValue(checkpoint.Seq.Value, out var votes))
        {
            votes = [];
            _checkpointVotes[checkpoint.Seq.Value] = votes;
        }

        votes[checkpoint.Sender] = checkpoint;
        var senderSeqs = _checkpointVotes
            .Where(kv => kv.Value.ContainsKey(checkpoint.Sender))
            .Select(kv => kv.Key)
            .ToList();
        if (senderSeqs.Count > MaxCheckpointSeqsPerSender)
        {
            _checkpointVotes[senderSeqs[0]].Remove(checkpoint.Sender);
        }

        var quorum = votes.Values.GroupBy(v => v.StateDigest).FirstOrDefault(g => g.Count() >= Quorums.Quorum(_f));
        if (quorum is not null)
        {
            var signatures = quorum
                .OrderBy(v => v.Sender.Value)
                .Select(v => new ReplicaSignature(v.Sender, v.Signature))
                .ToList();
            MakeStable(new StableCheckpointCertificate(checkpoint.Seq, quorum.Key, signatures));
        }
    }

    private void MakeStable(StableCheckpointCertificate certificate)
    {
        if (certificate.Seq <= _low)
        {
            return;
        }

        _stableCert = certificate;
        _low = certificate.Seq;
        Persist(new StableCheckpointRecord(certificate));

        // Garbage collection: nothing at or below the stable checkpoint is needed again.
        foreach (var seq in _slots.Keys.Where(s => s <= _low.Value).ToList())
        {
            _slots.Remove(seq);
        }

        foreach (var seq in _checkpointVotes.Keys.Where(s => s <= _low.Value).ToList())
        {
            _checkpointVotes.Remove(seq);
        }

        foreach (var seq in _ownDigests.Keys.Where(s => s < _low.Value).ToList())
        {
            _ownDigests.Remove(seq);
        }

        if (_lastProposed < _low)
        {
            _lastProposed = _low;
        }

        if (_lastExecuted < _low)
        {
            StartStateTransfer(certificate);
        }
        else
        {
            MaybeEmitStable();
        }

        TryPropose();
    }

    private void MaybeEmitStable()
    {
        if (
            _stableCert is not { } certificate
            || certificate.Seq <= _lastStableEmitted
            || !_ownDigests.TryGetValue(certificate.Seq.Value, out var own)
        )
        {
            return;
        }

        if (own != certificate.StateDigest)
        {
            // Our execution disagrees with 2f+1 replicas: our state is wrong; replace it with the certified one.
            Drop(DropReason.StateDivergence);
            _ownDigests.Remove(certificate.Seq.Value);
            StartStateTransfer(certificate, force: true);
            return;
        }

        _lastStableEmitted = certificate.Seq;
        Emit(new StableCheckpoint(certificate.Seq, certificate.StateDigest, certificate));
    }
}
