namespace Cairn.Backup;

/// <summary>Where a DB checkpoint is in its life (docs/architecture.md, "A DB checkpoint's life"); only
/// <see cref="DbCheckpointLifecycle.Transition"/> moves it from one state to the next.</summary>
public enum DbCheckpointState
{
    /// <summary>The RocksDB checkpoint is in <c>&lt;id&gt;.tmp</c>; its boundary is not stable yet.</summary>
    Taken,

    /// <summary>Its certificate arrived: the background worker verifies it, writes <c>checkpoint.json</c> and renames
    /// it into place.</summary>
    Finalising,

    /// <summary>Renamed into place (the commit point): listed, and readers may pin it.</summary>
    Complete,

    /// <summary>Retention chose it: no longer listed, deleted as soon as no reader holds it.</summary>
    Retiring,

    /// <summary>Its directory is gone (deleted, discarded before its boundary became stable, or failed to finalise);
    /// nothing follows.</summary>
    Deleted,
}
