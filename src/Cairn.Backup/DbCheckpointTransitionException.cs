using Cairn.Core;

namespace Cairn.Backup;

/// <summary>A DB checkpoint was asked to make a move its life does not allow (a bug in the checkpoint manager, never
/// an operator's mistake).</summary>
public sealed class DbCheckpointTransitionException(BlockId id, DbCheckpointState from, DbCheckpointState to)
    : InvalidOperationException(
        $"DB checkpoint {id} cannot go from {from} to {to} (a checkpoint moves taken → finalising → complete → "
            + "retiring → deleted, or from taken or finalising to deleted)"
    )
{
    /// <summary>The checkpoint.</summary>
    public BlockId Id { get; } = id;

    /// <summary>The state it was in.</summary>
    public DbCheckpointState From { get; } = from;

    /// <summary>The state it was asked to move to.</summary>
    public DbCheckpointState To { get; } = to;
}
