using Cairn.Core;

namespace Cairn.Backup;

/// <summary>Where the last DB checkpoint was taken: its sequence number and consensus time. What the periodic policy
/// counts from; restored at start from the newest checkpoint on disk.</summary>
public readonly record struct CheckpointMark(SeqNum Seq, DateTimeOffset ConsensusTime)
{
    /// <summary>No checkpoint yet.</summary>
    public static CheckpointMark None => new(SeqNum.Zero, DateTimeOffset.MinValue);
}
