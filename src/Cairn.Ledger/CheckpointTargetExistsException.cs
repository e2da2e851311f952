namespace Cairn.Ledger;

/// <summary>A checkpoint was asked to go into a directory that already exists; nothing was written.</summary>
public sealed class CheckpointTargetExistsException(string path)
    : LedgerException(path, "the checkpoint target already exists; a checkpoint goes into a new directory");
