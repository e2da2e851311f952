using System.Text.Json;

namespace Cairn.Backup;

/// <summary>
/// <c>&lt;data_dir&gt;/restore.discard-old</c>: the databases a restore with <c>--discard-old</c> set aside, to be
/// deleted only once the restored replica has started and caught up to its peers' stable checkpoint (at
/// <see cref="RestoredSeq"/> or later). The restore writes it in the same roll-forward that installs the database; the
/// replica host deletes the databases, then this file, so a crash at any point leaves either both or neither a new
/// start finishes.
/// </summary>
/// <param name="Databases">The set-aside database directories.</param>
/// <param name="RestoredSeq">The sequence number of the checkpoint installed last.</param>
public sealed record PendingDiscard(IReadOnlyList<string> Databases, ulong RestoredSeq)
{
    /// <summary>The record's file name in the data directory.</summary>
    public const string FileName = "restore.discard-old";

    /// <summary>The pending discard of <paramref name="dataDirectory"/>, or null when there is none.</summary>
    /// <exception cref="DbCheckpointException">When the file exists but cannot be read.</exception>
    public static PendingDiscard? Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<PendingDiscard>(File.ReadAllBytes(path), StrictJson.Options)
                ?? throw new DbCheckpointException(path, "an empty record");
        }
        catch (JsonException e)
        {
            throw new DbCheckpointException(
                path,
                $"not a pending-discard record ({JsonErrors.Describe(e)}); delete it, and the databases it lists "
                    + "by hand"
            );
        }
    }

    /// <summary>Adds <paramref name="database"/> to the databases already pending in <paramref
    /// name="dataDirectory"/>.</summary>
    internal static void Add(string dataDirectory, string database, ulong restoredSeq)
    {
        var pending = Load(dataDirectory)?.Databases ?? [];
        var record = new PendingDiscard([.. pending.Append(database).Distinct(StringComparer.Ordinal)], restoredSeq);
        PosixFiles.WriteAtomically(
            Path.Combine(dataDirectory, FileName),
            JsonSerializer.SerializeToUtf8Bytes(record, StrictJson.Options)
        );
    }

    /// <summary>Deletes the set-aside databases, then the record (call once the restored replica has caught
    /// up).</summary>
    /// <returns>The databases that were deleted (those already gone are not listed).</returns>
    public IReadOnlyList<string> Complete(string dataDirectory)
    {
        var deleted = new List<string>();
        foreach (var database in Databases.Where(Directory.Exists))
        {
            Directory.Delete(database, recursive: true);
            deleted.Add(database);
        }

        File.Delete(Path.Combine(dataDirectory, FileName));
        PosixFiles.SyncDirectory(dataDirectory);
        return deleted;
    }
}
