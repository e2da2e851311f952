using System.Text.Json;

namespace Cairn.Backup;

/// <summary>
/// The commit record of a restore, <c>&lt;data_dir&gt;/restore.journal</c>: written and fsynced once the staged database
/// is complete and verified. From then on the restore only rolls forward — database aside, staged database into place,
/// checkpoints carried over — and every step can be repeated, so a crash at any point is finished by the next start.
/// </summary>
internal sealed record RestoreJournal(string Database, string Staging, string Aside, string? CheckpointsRelative)
{
    public const string FileName = "restore.journal";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Write(string path)
    {
        using (var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(this, Json));
            stream.Flush(flushToDisk: true);
        }

        File.Move(path + ".tmp", path, overwrite: true);
        PosixFiles.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    public static RestoreJournal Read(string path) =>
        JsonSerializer.Deserialize<RestoreJournal>(File.ReadAllBytes(path), Json)
            ?? throw new DbCheckpointException(path, "an empty restore journal");

    /// <summary>Carries out (or finishes) the renames; each step is skipped when already done.</summary>
    /// <returns>How many checkpoint directories were carried over.</returns>
    public int RollForward(string journalPath)
    {
        var parent = Path.GetDirectoryName(Database)!;
        if (Directory.Exists(Staging))
        {
            if (Directory.Exists(Database) && !Directory.Exists(Aside))
            {
                Directory.Move(Database, Aside);
            }

            if (Directory.Exists(Database))
            {
                throw new DbCheckpointException(Database, $"cannot finish the restore: both it and {Aside} exist");
            }

            Directory.Move(Staging, Database);
        }

        var carried = 0;
        if (CheckpointsRelative is not null)
        {
            var from = Path.Combine(Aside, CheckpointsRelative);
            var to = Path.Combine(Database, CheckpointsRelative);
            if (Directory.Exists(from) && !Directory.Exists(to))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                carried = Directory.GetDirectories(from).Length;
                Directory.Move(from, to);
            }
        }

        PosixFiles.SyncDirectory(parent);
        File.Delete(journalPath);
        PosixFiles.SyncDirectory(Path.GetDirectoryName(journalPath)!);
        return carried;
    }
}
