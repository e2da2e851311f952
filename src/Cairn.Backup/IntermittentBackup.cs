using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Intermittent backup (<c>backup_mode: intermittent</c>): a copy of a <em>stopped</em> replica's database with a
/// manifest of every file's SHA-256. Copied into <c>DIR.tmp</c>, checked by opening it read-only and re-deriving its
/// chain, then renamed to <c>DIR</c> (the commit point). Checkpoint directories inside the database are not copied.
/// </summary>
public static class IntermittentBackup
{
    /// <summary>Copies <paramref name="databaseDirectory"/> (whose replica must be stopped) to <paramref
    /// name="targetDirectory"/>,
    /// which must not exist.</summary>
    /// <returns>The manifest and the head the copy holds.</returns>
    /// <exception cref="DbCheckpointException">When the target exists, a file cannot be copied, or the copy does not
    /// verify;
    /// nothing is left under the target's name.</exception>
    public static (CheckpointManifest Manifest, LedgerHead Head, string ChainId) Copy(
        string databaseDirectory,
        string? excludeDirectory,
        string targetDirectory,
        IProgress<TransferProgress>? progress = null
    )
    {
        databaseDirectory = Path.GetFullPath(databaseDirectory);
        targetDirectory = Path.GetFullPath(targetDirectory);
        if (Directory.Exists(targetDirectory) || File.Exists(targetDirectory))
        {
            throw new DbCheckpointException(targetDirectory, "already exists (a backup never overwrites)");
        }

        if (!Directory.Exists(databaseDirectory))
        {
            throw new DbCheckpointException(databaseDirectory, "no database to back up");
        }

        var exclude = excludeDirectory is null ? null : Path.GetFullPath(excludeDirectory).TrimEnd('/') + "/";
        var files = CheckpointManifest
            .FilesOf(databaseDirectory)
            .Where(f =>
                exclude is null || !Path.Combine(databaseDirectory, f).StartsWith(exclude, StringComparison.Ordinal)
            )
            .Where(f => f != "LOCK")
            .ToList();
        var tmp = targetDirectory + ".tmp";
        CheckpointSource.DeleteDirectory(tmp);
        try
        {
            Directory.CreateDirectory(tmp);
            var counter = new ProgressCounter(
                progress,
                files.Sum(f => new FileInfo(Path.Combine(databaseDirectory, f)).Length)
            );
            var buffer = new byte[1 << 20];
            foreach (var file in files)
            {
                var target = Path.Combine(tmp, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var input = new FileStream(
                    Path.Combine(databaseDirectory, file),
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.Read,
                    1 << 16
                );
                using var output = new FileStream(
                    target,
                    FileMode.CreateNew,
                    FileAccess.Write,
                    FileShare.None,
                    1 << 16
                );
                int read;
                while ((read = input.Read(buffer)) > 0)
                {
                    output.Write(buffer, 0, read);
                    counter.Report(read);
                }

                output.Flush(flushToDisk: true);
            }

            LedgerHead head;
            string chainId;
            using (var reader = RocksDbLedger.OpenReadOnly(tmp))
            {
                head = ChainVerifier.Verify(reader).Head;
                chainId = reader.ChainId;
            }

            var manifest = CheckpointManifest.Create(tmp);
            manifest.Write(Path.Combine(tmp, CheckpointManifest.FileName));
            PosixFiles.SyncDirectory(tmp);
            Directory.Move(tmp, targetDirectory);
            PosixFiles.SyncDirectory(Path.GetDirectoryName(targetDirectory)!);
            return (manifest, head, chainId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerException)
        {
            CheckpointSource.DeleteDirectory(tmp);
            throw new DbCheckpointException(targetDirectory, $"backup failed ({e.Message})");
        }
    }
}
