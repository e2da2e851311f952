using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// The largest encoded consensus message a replica sends or must accept, from its options: a whole PRE-PREPARE or a
/// BATCH-BODY (one batch of at most <see cref="ReplicaOptions.MaxBatchBytes"/>), or a NEW-VIEW (2f + 1 VIEW-CHANGEs,
/// each with a certificate of 2f + 1 signatures and 2 × window proofs of a proposal header and 2f PREPAREs, and
/// 2 × window headers): replicas build exactly these quorums and refuse VIEW-CHANGEs and NEW-VIEWs with more. Sizes
/// come from encoding largest instances, so they follow the encoding. The transport's receive limit is this bound,
/// and a sender never emits a larger message.
/// </summary>
public static class MessageBounds
{
    /// <summary>The receive limit no configuration may exceed: 512 MiB.</summary>
    public const long Ceiling = 512L * 1024 * 1024;

    /// <summary>Why messages under <paramref name="f"/>, a checkpoint window and a batch byte budget could outgrow
    /// <see cref="Ceiling"/> (naming the keys to lower), or null when they cannot: a NEW-VIEW grows with
    /// f² × window.</summary>
    public static string? CeilingViolation(int f, int checkpointWindowSize, int maxBatchBytes)
    {
        var largest = MaxMessageBytes(f, checkpointWindowSize, maxBatchBytes);
        return largest <= Ceiling
            ? null
            : $"a window of {checkpointWindowSize} with f_val {f} allows consensus messages of {largest} bytes, "
                + $"over the {Ceiling} a replica receives: lower checkpoint_window_size or f_val";
    }

    /// <summary>The largest encoded message, in bytes.</summary>
    public static long MaxMessageBytes(ReplicaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return MaxMessageBytes(options.F, options.CheckpointWindowSize, options.MaxBatchBytes);
    }

    /// <summary>The largest encoded message for <paramref name="f"/>, a checkpoint window and a batch byte
    /// budget.</summary>
    public static long MaxMessageBytes(int f, int checkpointWindowSize, int maxBatchBytes)
    {
        var quorum = Cairn.ClientProtocol.Quorums.Quorum(f);
        var slots = 2L * checkpointWindowSize;
        var sender = new ReplicaId(0);
        var header = PrePrepare.Header(default(ViewNum), SeqNum.Zero, 0, Digest.Zero, sender).Encode().Length;
        var wholeOverhead = new PrePrepare(default(ViewNum), SeqNum.Zero, 0, Batch.NoOp, sender).Encode().Length;
        var bodyOverhead = new BatchBody(SeqNum.Zero, 0, Batch.NoOp, sender).Encode().Length;
        var batch = (long)maxBatchBytes - Batch.EmptyEncodedLength;
        var prepare = new Prepare(default(ViewNum), SeqNum.Zero, Digest.Zero, sender).Encode().Length;
        var certificate = new StableCheckpointCertificate(
            SeqNum.Zero,
            Digest.Zero,
            [.. Enumerable.Repeat(new ReplicaSignature(sender, default), quorum)]
        )
            .Encode()
            .Length;
        var emptyViewChange = new ViewChange(default(ViewNum), null, [], sender).Encode().Length;
        // Each nested message is length-prefixed (4 bytes); a proof is a header and its count of PREPAREs.
        var proof = 4 + header + 4 + ((quorum - 1) * (4L + prepare));
        var viewChange = emptyViewChange + certificate + (slots * proof);
        var emptyNewView = new NewView(default(ViewNum), 0, [], [], sender).Encode().Length;
        var newView = emptyNewView + (quorum * (4 + viewChange)) + (slots * (4L + header));
        return Math.Max(Math.Max(wholeOverhead, bodyOverhead) + batch, newView);
    }
}
