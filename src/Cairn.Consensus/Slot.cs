using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>One sequence number's round state. Votes belong to <see cref="View"/>; proof and commit survive
/// views.</summary>
internal sealed class Slot(SeqNum seq, ViewNum view)
{
    public SeqNum Seq { get; } = seq;

    public ViewNum View { get; private set; } = view;

    public PrePrepare? PrePrepare { get; set; }

    public Digest Digest { get; set; }

    public Dictionary<ReplicaId, Prepare> Prepares { get; } = [];

    public Dictionary<ReplicaId, Commit> Commits { get; } = [];

    public bool Prepared { get; set; }

    public Prepare? MyPrepare { get; set; }

    public Commit? MyCommit { get; set; }

    /// <summary>Highest-view prepared certificate; carried into VIEW-CHANGE.</summary>
    public PreparedProof? Proof { get; set; }

    /// <summary>The committed proposal, once 2f+1 COMMITs matched a prepared slot in some view.</summary>
    public PrePrepare? Committed { get; set; }

    public bool IsCommitted => Committed is not null;

    /// <summary>The whole proposals (with batch) seen for this seq in any view, by digest: the batch a NEW-VIEW header
    /// names is taken from here before it is fetched from peers, and peers that lack it are answered from
    /// here.</summary>
    public Dictionary<Digest, PrePrepare> Bodies { get; } = [];

    /// <summary>The digests whose whole proposal is durable here (a <see cref="ProposalRecord"/>): a slot record names
    /// them by header.</summary>
    public HashSet<Digest> PersistedBodies { get; } = [];

    /// <summary>When this replica last asked its peers for a batch it lacks here.</summary>
    public DateTimeOffset? BodyRequestedAt { get; set; }

    /// <summary>When this replica last sent each peer a batch of this seq: one answer per status interval.</summary>
    public Dictionary<ReplicaId, DateTimeOffset> BodySentTo { get; } = [];

    public void ResetForView(ViewNum view)
    {
        View = view;
        PrePrepare = null;
        Digest = default;
        Prepares.Clear();
        Commits.Clear();
        Prepared = false;
        MyPrepare = null;
        MyCommit = null;
    }

    /// <summary>The slot's record, proposals by header: their batches go into <see cref="ProposalRecord"/>s.</summary>
    public SlotRecord ToRecord() => new(Seq, PrePrepare?.WithoutBatch(), Proof, Committed?.WithoutBatch());
}
