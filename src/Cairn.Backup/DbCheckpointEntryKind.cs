namespace Cairn.Backup;

/// <summary>What a directory under <c>db_checkpoint_path</c> is.</summary>
public enum DbCheckpointEntryKind
{
    /// <summary>A committed checkpoint: its id-named directory holds a valid <c>checkpoint.json</c> of that
    /// id.</summary>
    Complete,

    /// <summary>Never committed (<c>*.tmp</c>, <c>*.deleting</c>, or an id-named directory without
    /// <c>checkpoint.json</c>): the replica deletes it at start.</summary>
    Interrupted,

    /// <summary>An id-named directory whose <c>checkpoint.json</c> is unreadable, of another id or of another chain:
    /// kept for the operator, never listed as a checkpoint.</summary>
    Unreadable,

    /// <summary>Not named like a checkpoint (an operator's directory): left alone.</summary>
    Foreign,
}
