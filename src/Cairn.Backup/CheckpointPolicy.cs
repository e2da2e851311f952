using Cairn.Core;

namespace Cairn.Backup;

/// <summary>
/// Concord's periodic DB checkpoint rule, on consensus time so that every correct replica decides the same at the same
/// boundary: a checkpoint is due when <b>both</b> more than <c>db_checkpoint_duration</c> seconds passed since the last
/// checkpoint and at least <c>dbcheckpoint_window</c> sequence numbers were executed since it. The last checkpoint is
/// the mark in the replicated state (docs/architecture.md, "DB checkpoint protocol"), moved whenever a checkpoint is
/// decided, whether or not a replica could take it.
/// </summary>
public static class CheckpointPolicy
{
    /// <summary>True when a periodic checkpoint is due at <paramref name="seq"/>.</summary>
    /// <param name="last">The last checkpoint taken (sequence number 0 and <see cref="DateTimeOffset.MinValue"/>
    /// when there is none: the first checkpoint then comes at the first boundary at or after the window).</param>
    /// <param name="seq">The boundary sequence number just executed.</param>
    /// <param name="consensusTime">Its consensus time (the block's timestamp).</param>
    public static bool IsDue(
        DbCheckpointSettings settings,
        CheckpointMark last,
        SeqNum seq,
        DateTimeOffset consensusTime
    )
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (seq <= last.Seq)
        {
            return false;
        }

        var enoughSeqs = seq.Value - last.Seq.Value >= (ulong)settings.Window;
        var enoughTime =
            last.ConsensusTime == DateTimeOffset.MinValue
            || Exceeds(consensusTime - last.ConsensusTime, settings.DurationSeconds);
        return enoughSeqs && enoughTime;
    }

    /// <summary>The decision at a boundary: the new mark when a checkpoint is decided there (an operator ordered one
    /// for it, or the periodic policy says it is due), else null.</summary>
    /// <param name="ordered">An operator's <c>dbCheckpoint create</c> or <c>wedge stop</c> named this boundary.</param>
    public static CheckpointMark? Decide(
        DbCheckpointSettings settings,
        CheckpointMark last,
        SeqNum seq,
        DateTimeOffset consensusTime,
        bool ordered
    ) => ordered || IsDue(settings, last, seq, consensusTime) ? new CheckpointMark(seq, consensusTime) : null;

    // db_checkpoint_duration accepts more seconds than a TimeSpan holds (about 9.2e11): such a duration never passes,
    // and converting it would throw on the consensus thread.
    private static bool Exceeds(TimeSpan elapsed, long seconds) =>
        seconds <= MaxSeconds && elapsed > TimeSpan.FromSeconds(seconds);

    private static readonly long MaxSeconds = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond;
}
