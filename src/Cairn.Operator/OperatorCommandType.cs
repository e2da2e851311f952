namespace Cairn.Operator;

/// <summary>What an operator command asks for. Write commands are ordered through consensus; queries go to every
/// replica directly. The numbers are part of the signed encoding: never reuse one.</summary>
public enum OperatorCommandType : byte
{
    /// <summary>Every replica takes a DB checkpoint at the next stable sequence number.</summary>
    DbCheckpointCreate = 1,

    /// <summary>Replicas stop ordering at a checkpoint boundary and take a DB checkpoint there.</summary>
    WedgeStop = 2,

    /// <summary>Wedged replicas resume ordering, in a new epoch.</summary>
    Unwedge = 3,

    /// <summary>Query: the replica's DB checkpoints.</summary>
    DbCheckpointStatus = 10,

    /// <summary>Query: whether the replica is wedged, where, with which checkpoint.</summary>
    WedgeStatus = 11,

    /// <summary>Query: the replica's signed statement of one checkpoint's state digest (body: <see
    /// cref="CheckpointQuery"/>).</summary>
    CheckpointHash = 12,

    /// <summary>Query: values of keys as of one checkpoint, read from the checkpoint itself (body: <see
    /// cref="CheckpointQuery"/>).</summary>
    CheckpointRead = 13,

    /// <summary>Query: the replica's newest checkpoint with an estimate of its key count.</summary>
    Snapshot = 14,

    /// <summary>Query: the replica's newest stable checkpoint certificate at or above a sequence number, with the
    /// blocks that lead to the block it certifies (body: <see cref="CertifiedChainQuery"/>); asks the primary to fill
    /// the window when the cluster is not there yet.</summary>
    CertifiedChain = 15,
}
