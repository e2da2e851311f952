using Cairn.Core;

namespace Cairn.Backup;

/// <summary>The DB checkpoint manager's status, for <c>dbCheckpoint status</c> and health.</summary>
/// <param name="Count">Good checkpoints listed.</param>
/// <param name="NewestId">The newest good checkpoint's id, if any.</param>
/// <param name="NewestSeq">Its sequence number.</param>
/// <param name="NewestAge">Now minus its consensus time.</param>
/// <param name="LastSkipReason">Why the last due checkpoint was skipped, if one was.</param>
/// <param name="LastSkipAt">When (this replica's clock).</param>
/// <param name="Skips">Due checkpoints skipped since start.</param>
/// <param name="Failures">Checkpoints that failed since start (removed, logged).</param>
/// <param name="LastFailure">The last failure's message.</param>
/// <param name="InFlight">Checkpoints taken and not committed yet, oldest first.</param>
public sealed record DbCheckpointStatus(
    bool Enabled,
    int Count,
    BlockId? NewestId,
    SeqNum? NewestSeq,
    TimeSpan? NewestAge,
    CheckpointSkipReason? LastSkipReason,
    DateTimeOffset? LastSkipAt,
    long Skips,
    long Failures,
    string? LastFailure,
    IReadOnlyList<DbCheckpointInFlight> InFlight
);
