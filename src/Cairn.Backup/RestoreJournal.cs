using System.Globalization;
using System.Text.Json;

namespace Cairn.Backup;

/// <summary>
/// The commit record of a restore, <c>&lt;data_dir&gt;/restore.journal</c>: written and fsynced once the staged
/// database
/// is complete and verified. From then on the restore only rolls forward — database aside, staged database into place,
/// checkpoints carried over — and every step can be repeated, so a crash at any point is finished by the next start.
/// </summary>
/// <param name="DiscardOldAfterCatchUp">The old database is recorded in <see cref="PendingDiscard"/>, to be deleted
/// once
/// the restored replica has caught up.</param>
/// <param name="RestoredSeq">The installed checkpoint's sequence number.</param>
internal sealed record RestoreJournal(
    string Database,
    string Staging,
    string Aside,
    string? CheckpointsRelative,
    bool DiscardOldAfterCatchUp,
    ulong RestoredSeq
)
{
    public const string FileName = "restore.journal";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Write(string path) => PosixFiles.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));

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
                // Checkpoints only: .pins (pin files of readers) moves with them but is not one.
                carried = Directory
                    .GetDirectories(from)
                    .Count(d =>
                        ulong.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    );
                Directory.Move(from, to);
            }
        }

        PosixFiles.SyncDirectory(parent);
        if (DiscardOldAfterCatchUp && Directory.Exists(Aside))
        {
            PendingDiscard.Add(Path.GetDirectoryName(journalPath)!, Aside, RestoredSeq);
        }

        File.Delete(journalPath);
        PosixFiles.SyncDirectory(Path.GetDirectoryName(journalPath)!);
        return carried;
    }
}
