using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// The primary's proposal of a batch at (<see cref="View"/>, <see cref="Seq"/>). <see cref="TimestampMs"/> is the
/// consensus time of the batch (Unix milliseconds, the primary's clock, checked by backups within a bound).
/// The signature covers the proposal's <see cref="Digest"/> (timestamp and batch), not the batch bytes: the header
/// alone (<see cref="Batch"/> null) is a checkable proposal, which is what VIEW-CHANGE and NEW-VIEW carry, so their
/// size does not grow with the batches (docs/consensus.md, "Bounded view changes").
/// </summary>
public sealed record PrePrepare : ConsensusMessage
{
    /// <summary>A proposal of <paramref name="batch"/>, its digest computed once here.</summary>
    public PrePrepare(ViewNum view, SeqNum seq, long timestampMs, Batch batch, ReplicaId sender)
        : this(view, seq, timestampMs, Proposal(batch, timestampMs), batch, sender) { }

    private PrePrepare(ViewNum view, SeqNum seq, long timestampMs, Digest digest, Batch? batch, ReplicaId sender)
        : base(sender)
    {
        View = view;
        Seq = seq;
        TimestampMs = timestampMs;
        Digest = digest;
        Batch = batch;
    }

    /// <inheritdoc />
    public override MessageType Type => MessageType.PrePrepare;

    /// <summary>The view the proposal belongs to.</summary>
    public ViewNum View { get; }

    /// <summary>The sequence number proposed.</summary>
    public SeqNum Seq { get; }

    /// <summary>The batch's consensus time, Unix milliseconds.</summary>
    public long TimestampMs { get; }

    /// <summary>The digest PREPARE and COMMIT votes name: timestamp and batch.</summary>
    public Digest Digest { get; }

    /// <summary>The proposed batch; null in a header, whose batch a replica holds or fetches by digest.</summary>
    public Batch? Batch { get; }

    /// <summary>A header: the proposal without its batch (same signature).</summary>
    public static PrePrepare Header(ViewNum view, SeqNum seq, long timestampMs, Digest digest, ReplicaId sender) =>
        new(view, seq, timestampMs, digest, null, sender);

    /// <summary>This proposal without its batch, same signature.</summary>
    public PrePrepare WithoutBatch() =>
        Batch is null ? this : new PrePrepare(View, Seq, TimestampMs, Digest, null, Sender) { Signature = Signature };

    /// <summary>This proposal with <paramref name="batch"/>, same signature; null when the batch is not the one the
    /// digest names.</summary>
    public PrePrepare? WithBatch(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.ProposalDigest(TimestampMs) == Digest
            ? new PrePrepare(View, Seq, TimestampMs, Digest, batch, Sender) { Signature = Signature }
            : null;
    }

    /// <summary>This proposal with the batch of <paramref name="other"/>, a whole proposal with the same digest (so
    /// the same timestamp and batch, in another view): no hashing.</summary>
    internal PrePrepare WithBatchOf(PrePrepare other) =>
        other.Digest == Digest && other.Batch is not null
            ? new PrePrepare(View, Seq, TimestampMs, Digest, other.Batch, Sender) { Signature = Signature }
            : throw new ArgumentException("not a whole proposal with this digest", nameof(other));

    private static Digest Proposal(Batch batch, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.ProposalDigest(timestampMs);
    }

    /// <summary>Type, sender, view, seq, timestamp, digest, signature, the batch flag and the length-prefixed
    /// batch.</summary>
    internal override int EncodedLengthHint =>
        1
        + 4
        + 8
        + 8
        + 8
        + Core.Digest.Size
        + Core.Crypto.Signature.Size
        + 1
        + (Batch is null ? 0 : 4 + Batch.EncodedLength);

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteUInt64(Seq.Value);
        writer.WriteInt64(TimestampMs);
        writer.WriteDigest(Digest);
    }

    private protected override void WriteAfterSignature(CanonicalWriter writer)
    {
        writer.WriteBool(Batch is not null);
        if (Batch is not null)
        {
            writer.WriteBytes(Batch.Encoded);
        }
    }

    private protected override ConsensusMessage ReadAfterSignature(ref CanonicalReader reader) =>
        !reader.ReadBool() ? this
        : WithBatch(Batch.Decode(reader.ReadBytes())) is { } whole ? whole
        : throw new CanonicalEncodingException($"the batch of the PRE-PREPARE at seq {Seq} does not match its digest");

    internal static PrePrepare ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(
            new ViewNum(reader.ReadUInt64()),
            new SeqNum(reader.ReadUInt64()),
            reader.ReadInt64(),
            reader.ReadDigest(),
            null,
            sender
        );
}
