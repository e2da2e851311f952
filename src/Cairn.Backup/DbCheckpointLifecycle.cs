using Cairn.Core;

namespace Cairn.Backup;

/// <summary>
/// The legal moves of a DB checkpoint's life, in one place: taken → finalising → complete → retiring → deleted, and
/// taken or finalising → deleted when its boundary never becomes stable or finalisation fails. A checkpoint found on
/// disk at start begins as <see cref="DbCheckpointState.Complete"/>.
/// </summary>
public static class DbCheckpointLifecycle
{
    /// <summary>True when a checkpoint in state <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool IsLegal(DbCheckpointState from, DbCheckpointState to) =>
        (from, to) switch
        {
            (DbCheckpointState.Taken, DbCheckpointState.Finalising) => true,
            (DbCheckpointState.Taken, DbCheckpointState.Deleted) => true,
            (DbCheckpointState.Finalising, DbCheckpointState.Complete) => true,
            (DbCheckpointState.Finalising, DbCheckpointState.Deleted) => true,
            (DbCheckpointState.Complete, DbCheckpointState.Retiring) => true,
            (DbCheckpointState.Retiring, DbCheckpointState.Deleted) => true,
            _ => false,
        };

    /// <summary>The state checkpoint <paramref name="id"/> moves to: <paramref name="to"/>, when the move is
    /// legal.</summary>
    /// <exception cref="DbCheckpointTransitionException">When a checkpoint in <paramref name="from"/> cannot move to
    /// <paramref name="to"/>.</exception>
    public static DbCheckpointState Transition(BlockId id, DbCheckpointState from, DbCheckpointState to) =>
        IsLegal(from, to) ? to : throw new DbCheckpointTransitionException(id, from, to);
}
