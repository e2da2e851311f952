using Cairn.Core;

namespace Cairn.Backup;

/// <summary>Where the last DB checkpoint was decided: its boundary's sequence number and consensus time. What the
/// periodic policy counts from; kept in the replicated state, so every replica counts from the same mark.</summary>
public readonly record struct CheckpointMark(SeqNum Seq, DateTimeOffset ConsensusTime)
{
    /// <summary>No checkpoint yet.</summary>
    public static CheckpointMark None => new(SeqNum.Zero, DateTimeOffset.MinValue);
}
