namespace Cairn.Consensus;

/// <summary>Why a replica complained about its view's primary (Replica.Complaints.cs).</summary>
public enum ComplaintReason
{
    /// <summary>The view-change timer expired: work was outstanding (a request this replica holds, an accepted
    /// proposal) and nothing executed for a timeout.</summary>
    NoProgress,

    /// <summary>Seqs executed, but a client request this backup holds (or a fill the primary owes up to a checkpoint)
    /// stayed unordered for a timeout: the primary leaves it out.</summary>
    RequestUnordered,
}
