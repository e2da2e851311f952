using System.Globalization;

namespace Cairn.Backup;

/// <summary>
/// Reads a <c>db_checkpoint_path</c> directory: the one classification of what lies there, used by the replica at start
/// (<see cref="DbCheckpointManager.Recover"/>) and by <c>cairn checkpoint list</c>. Never trusts directory order or a
/// name alone: a checkpoint is complete only when its <c>checkpoint.json</c> reads and names the same id.
/// </summary>
public static class DbCheckpointDirectory
{
    /// <summary>Suffix of a checkpoint being taken; renamed to its id once <c>checkpoint.json</c> is written.</summary>
    public const string TmpSuffix = ".tmp";

    /// <summary>Suffix of a checkpoint being deleted (renamed out of the listing first).</summary>
    public const string DeletingSuffix = ".deleting";

    /// <summary>Every directory under <paramref name="directory"/> except hidden ones (<c>.pins</c>), ordered by
    /// checkpoint id, then name; none when it does not exist.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="chainId">The chain a complete checkpoint must belong to, or null to accept any.</param>
    public static IReadOnlyList<DbCheckpointEntry> Scan(string directory, string? chainId)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return
        [
            .. new DirectoryInfo(directory)
                .EnumerateDirectories()
                .Where(d => !d.Name.StartsWith('.'))
                .Select(d => (Entry: Classify(d, chainId), Id: IdOf(d.Name) ?? ulong.MaxValue))
                .OrderBy(e => e.Id)
                .ThenBy(e => e.Entry.Directory, StringComparer.Ordinal)
                .Select(e => e.Entry),
        ];
    }

    private static DbCheckpointEntry Classify(DirectoryInfo entry, string? chainId)
    {
        var name = entry.Name;
        if (
            name.EndsWith(TmpSuffix, StringComparison.Ordinal)
            || name.EndsWith(DeletingSuffix, StringComparison.Ordinal)
        )
        {
            return new(entry.FullName, DbCheckpointEntryKind.Interrupted, null, "in progress or interrupted");
        }

        if (IdOf(name) is not { } id)
        {
            return new(entry.FullName, DbCheckpointEntryKind.Foreign, null, "not a checkpoint");
        }

        var metadataPath = Path.Combine(entry.FullName, CheckpointMetadata.FileName);
        if (!File.Exists(metadataPath))
        {
            // The rename commits a checkpoint only after its metadata is written: this was never a checkpoint.
            return new(
                entry.FullName,
                DbCheckpointEntryKind.Interrupted,
                null,
                $"no {CheckpointMetadata.FileName}: never completed"
            );
        }

        try
        {
            var metadata = CheckpointMetadata.Read(metadataPath);
            if (metadata.Id.Value != id)
            {
                throw new CheckpointMetadataException(metadataPath, $"it describes checkpoint {metadata.Id}, not {id}");
            }

            if (chainId is not null && metadata.ChainId != chainId)
            {
                throw new CheckpointMetadataException(
                    metadataPath,
                    $"it belongs to chain '{metadata.ChainId}', not '{chainId}'"
                );
            }

            return new(entry.FullName, DbCheckpointEntryKind.Complete, metadata, null);
        }
        catch (CheckpointMetadataException e)
        {
            return new(entry.FullName, DbCheckpointEntryKind.Unreadable, null, e.Message);
        }
    }

    // Only the canonical spelling: "007" is an operator's directory, not checkpoint 7.
    private static ulong? IdOf(string name) =>
        ulong.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
        && name == id.ToString(CultureInfo.InvariantCulture)
            ? id
            : null;
}
