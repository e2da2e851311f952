namespace Cairn.Consensus;

/// <summary>Why a replica ignored an input. Every drop is counted in <see cref="DropCounters"/>.</summary>
public enum DropReason
{
    /// <summary>Bytes that do not decode, or a message with missing parts.</summary>
    Malformed,

    /// <summary>A sender id outside 0..n-1.</summary>
    UnknownSender,

    /// <summary>A request from a client whose key is not configured.</summary>
    UnknownClient,

    /// <summary>A signature that does not verify.</summary>
    BadSignature,

    /// <summary>A message that travels unsigned (a COMMIT) on another replica's link than its sender's.</summary>
    NotFromSender,

    /// <summary>A COMMIT that names another consensus generation than the replica's: one from a replica that was not
    /// restored with the others.</summary>
    OtherGeneration,

    /// <summary>A message for a view older than the replica's.</summary>
    StaleView,

    /// <summary>A normal-case message for a view newer than the replica's.</summary>
    FutureView,

    /// <summary>A normal-case message while the replica is changing views.</summary>
    ViewChangeInProgress,

    /// <summary>A PRE-PREPARE or NEW-VIEW not from the view's primary, or a PREPARE from it.</summary>
    WrongSender,

    /// <summary>A sequence number outside the water marks (low, low + 2 × checkpoint window].</summary>
    OutOfWindow,

    /// <summary>The same message again.</summary>
    Duplicate,

    /// <summary>A second, different message from one sender for one slot: evidence, not a vote.</summary>
    Equivocation,

    /// <summary>A PRE-PREPARE whose timestamp is too far from the replica's time.</summary>
    BadTimestamp,

    /// <summary>A PRE-PREPARE whose batch holds an unsigned, badly signed or unknown client's request, or is too
    /// big.</summary>
    BadBatch,

    /// <summary>A CHECKPOINT at a non-boundary, or at or below the stable sequence number.</summary>
    StaleCheckpoint,

    /// <summary>A VIEW-CHANGE with an invalid certificate or prepared proof.</summary>
    BadViewChange,

    /// <summary>A NEW-VIEW whose view changes or PRE-PREPAREs do not check out.</summary>
    BadNewView,

    /// <summary>A client request older than one already executed for that client.</summary>
    StaleRequest,

    /// <summary>A client request that is already pending or was answered from the reply cache.</summary>
    DuplicateRequest,

    /// <summary>A completed state transfer that does not match the certified target.</summary>
    StateTransferMismatch,

    /// <summary>A BatchExecuted report the replica did not ask for.</summary>
    UnexpectedExecution,

    /// <summary>A client request too big to fit a batch alone (over
    /// <see cref="ReplicaOptions.MaxBatchBytes"/>).</summary>
    OversizedRequest,

    /// <summary>A BATCH-BODY for no proposal this replica lacks a batch for, or whose batch is not the one
    /// asked for.</summary>
    UnwantedBatch,

    /// <summary>The replica's own checkpoint digest differs from the certified one; it repairs by state
    /// transfer.</summary>
    StateDivergence,

    /// <summary>A client request while a wedge is in force: only operator requests are ordered until
    /// unwedge.</summary>
    Wedged,

    /// <summary>A PRE-PREPARE past the wedge point that carries client requests.</summary>
    PastWedgePoint,
}
