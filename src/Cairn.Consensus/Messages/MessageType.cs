namespace Cairn.Consensus.Messages;

/// <summary>The type byte that leads every encoded consensus message; decoding dispatches on it.</summary>
public enum MessageType : byte
{
    /// <summary>The primary's proposal of a batch at a sequence number.</summary>
    PrePrepare = 1,

    /// <summary>A backup's vote that it accepted a PRE-PREPARE.</summary>
    Prepare = 2,

    /// <summary>A replica's vote that a slot is prepared.</summary>
    Commit = 3,

    /// <summary>A replica's signed state digest at a checkpoint boundary.</summary>
    Checkpoint = 4,

    /// <summary>A replica's request to move to a new view, with its prepared certificates.</summary>
    ViewChange = 5,

    /// <summary>The new primary's announcement of a view, with the view changes that justify it.</summary>
    NewView = 6,

    /// <summary>A periodic summary of a replica's progress; peers answer by retransmitting what it lacks.</summary>
    Status = 7,

    /// <summary>A replica's request for the batch a proposal's digest names, which it lacks.</summary>
    FetchBatch = 8,

    /// <summary>The batch of a proposal, answering a FETCH-BATCH; checked against the digest.</summary>
    BatchBody = 9,

    /// <summary>A replica's wish to leave its view; f+1 of them start the view change.</summary>
    ViewComplaint = 10,
}
