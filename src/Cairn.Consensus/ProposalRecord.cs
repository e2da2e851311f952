using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// A whole proposal (PRE-PREPARE with its batch) this replica accepted or committed at a seq, persisted once per
/// digest: the slot record that names it carries its header only, so a batch is written once, not again with each vote
/// the slot records (docs/consensus.md, "What a replica persists").
/// </summary>
public sealed record ProposalRecord(PrePrepare Proposal) : PersistentRecord
{
    /// <summary>The whole proposal; a header (no batch) is refused.</summary>
    public PrePrepare Proposal { get; } =
        Proposal?.Batch is not null ? Proposal : throw new ArgumentException("a proposal record holds a batch");

    /// <inheritdoc />
    public override string Key => KeyOf(Proposal.Seq, Proposal.Digest);

    /// <summary>The key of the proposal record for (<paramref name="seq"/>, <paramref name="digest"/>).</summary>
    public static string KeyOf(SeqNum seq, Digest digest) => $"body/{seq.Value}/{digest}";

    /// <summary>The tag and the length-prefixed proposal.</summary>
    internal override int EncodedLengthHint => 1 + 4 + Proposal.EncodedLengthHint;

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(7);
        writer.WriteBytes(Proposal.Encode());
    }
}
