using Cairn.Consensus.Messages;

namespace Cairn.Consensus;

/// <summary>
/// Batches a NEW-VIEW names by digest only: a replica takes the batch from what it saw of the seq before, or asks its
/// peers for it (FETCH-BATCH) and accepts an answer (BATCH-BODY) only if it hashes to the digest. At least f+1 correct
/// replicas prepared every batch a NEW-VIEW re-proposes, and each keeps it until the seq is under a stable checkpoint,
/// so an answer comes (docs/consensus.md, "Bounded view changes").
/// </summary>
public sealed partial class Replica
{
    /// <summary><paramref name="proposal"/> with its batch when this replica knows it (seen before, or a no-op), or as
    /// it is.</summary>
    private static PrePrepare WithKnownBatch(Slot slot, PrePrepare proposal) =>
        proposal.Batch is not null ? proposal
        : slot.Bodies.TryGetValue(proposal.Digest, out var whole) ? proposal.WithBatchOf(whole)
        : proposal.WithBatch(Batch.NoOp) ?? proposal;

    private static void RememberBatch(Slot slot, PrePrepare proposal)
    {
        if (proposal.Batch is not null)
        {
            slot.Bodies.TryAdd(proposal.Digest, proposal);
        }
    }

    /// <summary>Asks every peer for the batch of <paramref name="slot"/>'s proposal, at most once per status
    /// interval.</summary>
    private void RequestBatch(Slot slot, PrePrepare header)
    {
        if (slot.BodyRequestedAt is { } asked && _now < asked + _options.StatusInterval)
        {
            return;
        }

        slot.BodyRequestedAt = _now;
        Broadcast(Sign(new FetchBatch(slot.Seq, header.Digest, Id)));
    }

    /// <summary>Asks again for the batch execution waits for (the first answer may have been lost).</summary>
    private void RetryMissingBatch()
    {
        if (
            _transferCert is null
            && TryGetSlot(_lastExecuted.Value + 1, out var next)
            && next.Committed is { Batch: null } header
        )
        {
            RequestBatch(next, header);
        }
    }

    private void OnFetchBatch(FetchBatch fetch)
    {
        PrePrepare? whole = null;
        if (
            !TryGetSlot(fetch.Seq.Value, out var slot)
            || !(slot.Bodies.TryGetValue(fetch.Digest, out whole) || slot.PersistedBodies.Contains(fetch.Digest))
        )
        {
            Drop(DropReason.UnwantedBatch);
            return;
        }

        if (slot.BodySentTo.TryGetValue(fetch.Sender, out var sent) && _now < sent + _options.StatusInterval)
        {
            Drop(DropReason.Duplicate);
            return;
        }

        if (!Authentic(fetch))
        {
            return;
        }

        slot.BodySentTo[fetch.Sender] = _now;
        if (whole is null)
        {
            Emit(new LoadBatch(fetch.Sender, fetch.Seq, fetch.Digest)); // executed: its batch is on disk only
            return;
        }

        SendTo(fetch.Sender, Sign(new BatchBody(fetch.Seq, whole.TimestampMs, whole.Batch!, Id)));
    }

    private void OnBatchLoaded(BatchLoaded loaded)
    {
        if (loaded.Proposal is not { Batch: { } batch } whole || (uint)loaded.To.Value >= (uint)_n)
        {
            Drop(DropReason.UnwantedBatch);
            return;
        }

        if (!loaded.AsPrePrepare)
        {
            SendTo(loaded.To, Sign(new BatchBody(whole.Seq, whole.TimestampMs, batch, Id)));
        }
        else if (
            TryGetSlot(whole.Seq.Value, out var slot)
            && slot.PrePrepare is { Batch: null } header
            && header.View == _view
            && header.Digest == whole.Digest
        )
        {
            SendTo(loaded.To, header.WithBatchOf(whole)); // the current view's signed proposal, batch from disk
        }
    }

    /// <summary>After <paramref name="slot"/> executed, its batch stays on disk only (a <see cref="ProposalRecord"/>,
    /// read back for a peer that asks): memory holds the batches of the seqs not executed yet, not a whole checkpoint
    /// window of them.</summary>
    private static void ForgetExecutedBatch(Slot slot, PrePrepare committed)
    {
        if (!slot.PersistedBodies.Contains(committed.Digest))
        {
            return; // recovered from a record of an earlier version, which holds its batch inside: keep it
        }

        slot.Bodies.Clear();
        slot.Committed = committed.WithoutBatch();
        if (slot.PrePrepare is { } accepted)
        {
            slot.PrePrepare = accepted.WithoutBatch();
        }
    }

    private void OnBatchBody(BatchBody body)
    {
        if (body.Seq <= _lastExecuted || !TryGetSlot(body.Seq.Value, out var slot) || !Authentic(body))
        {
            Drop(DropReason.UnwantedBatch);
            return;
        }

        var digest = body.Batch.ProposalDigest(body.TimestampMs);
        var wanted =
            slot.PrePrepare is { Batch: null } accepted && accepted.Digest == digest ? accepted
            : slot.Committed is { Batch: null } committed && committed.Digest == digest ? committed
            : null;
        if (wanted?.WithBatch(body.Batch) is not { } whole)
        {
            Drop(DropReason.UnwantedBatch);
            return;
        }

        RememberBatch(slot, whole);
        if (slot.PrePrepare?.Digest == digest)
        {
            slot.PrePrepare = whole;
        }

        if (slot.Committed?.Digest == digest)
        {
            slot.Committed = whole;
        }

        PersistSlot(slot);
        TryExecute();
    }
}
