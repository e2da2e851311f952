using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>One DB checkpoint the manager tracks, whatever its <see cref="State"/>: what the boundary took while it is
/// taken or finalising, its directory and <c>checkpoint.json</c> once complete.</summary>
internal sealed class TrackedDbCheckpoint
{
    private TrackedDbCheckpoint(SeqNum seq, BlockId id, DbCheckpointState state)
    {
        Seq = seq;
        Id = id;
        State = state;
    }

    public SeqNum Seq { get; }

    public BlockId Id { get; }

    public DbCheckpointState State { get; private set; }

    /// <summary>What the checkpoint call reported it holds; set while taken or finalising.</summary>
    public LedgerHead? Head { get; private init; }

    /// <summary>The boundary block's consensus time.</summary>
    public DateTimeOffset ConsensusTime { get; private init; }

    /// <summary>The epoch the boundary block was executed in.</summary>
    public ulong Epoch { get; private init; }

    public string? TmpDirectory { get; private init; }

    public string? FinalDirectory { get; private init; }

    /// <summary>The committed checkpoint; set once complete.</summary>
    public DbCheckpointInfo? Info { get; private set; }

    /// <summary>Listed and pinnable.</summary>
    public bool IsComplete => State == DbCheckpointState.Complete;

    /// <summary>Taken or finalising: not committed yet.</summary>
    public bool InFlight => State is DbCheckpointState.Taken or DbCheckpointState.Finalising;

    /// <summary>A checkpoint just taken into <paramref name="tmpDirectory"/> at a boundary.</summary>
    public static TrackedDbCheckpoint Taken(
        SeqNum seq,
        LedgerHead head,
        DateTimeOffset consensusTime,
        ulong epoch,
        string tmpDirectory,
        string finalDirectory
    ) =>
        new(seq, head.LastBlockId, DbCheckpointState.Taken)
        {
            Head = head,
            ConsensusTime = consensusTime,
            Epoch = epoch,
            TmpDirectory = tmpDirectory,
            FinalDirectory = finalDirectory,
        };

    /// <summary>A complete checkpoint found on disk at start.</summary>
    public static TrackedDbCheckpoint Recovered(DbCheckpointInfo info) =>
        new(info.SeqNum, info.Id, DbCheckpointState.Complete) { Info = info };

    /// <summary>Moves to <paramref name="to"/>.</summary>
    /// <exception cref="DbCheckpointTransitionException">When the move is not legal.</exception>
    public void MoveTo(DbCheckpointState to) => State = DbCheckpointLifecycle.Transition(Id, State, to);

    /// <summary>Finalised: moves to complete as <paramref name="info"/>.</summary>
    public void Complete(DbCheckpointInfo info)
    {
        MoveTo(DbCheckpointState.Complete);
        Info = info;
    }
}
