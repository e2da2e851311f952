using System.Formats.Tar;
using System.IO.Compression;

namespace Cairn.Backup;

/// <summary>
/// A checkpoint as one file for disaster recovery: a gzip-compressed tar holding <c>manifest.json</c> first (every
/// file's size and SHA-256), then <c>checkpoint.json</c> and the database files. Self-describing: with the replicas'
/// public keys, <see cref="CheckpointVerifier"/> needs nothing else.
/// </summary>
public static class CheckpointArchive
{
    /// <summary>True when <paramref name="path"/> is a file (an archive) rather than a checkpoint directory.</summary>
    public static bool IsArchive(string path) => File.Exists(path);

    /// <summary>
    /// Writes the checkpoint in <paramref name="checkpointDirectory"/> to <paramref name="archivePath"/> (which must
    /// not
    /// exist): into <c>FILE.tmp</c>, fsynced, then renamed, so a crash never leaves a partial archive under the name.
    /// </summary>
    /// <returns>The manifest written.</returns>
    /// <exception cref="DbCheckpointException">When the checkpoint is not complete, the target exists, or a file cannot
    /// be read or written.</exception>
    public static CheckpointManifest Export(
        string checkpointDirectory,
        string archivePath,
        IProgress<TransferProgress>? progress = null
    )
    {
        checkpointDirectory = Path.GetFullPath(checkpointDirectory);
        archivePath = Path.GetFullPath(archivePath);
        if (File.Exists(archivePath) || Directory.Exists(archivePath))
        {
            throw new DbCheckpointException(archivePath, "already exists (export never overwrites)");
        }

        // Only a complete checkpoint is exported.
        CheckpointMetadata.Read(Path.Combine(checkpointDirectory, CheckpointMetadata.FileName));
        var tmp = archivePath + ".tmp";
        try
        {
            var files = CheckpointManifest
                .FilesOf(checkpointDirectory)
                .Where(f => f != CheckpointManifest.FileName)
                .ToList();
            var total = files.Sum(f => new FileInfo(Path.Combine(checkpointDirectory, f)).Length);
            var counter = new ProgressCounter(progress, 2 * total);
            var manifest = new CheckpointManifest(
                CheckpointManifest.CurrentFormatVersion,
                [.. files.Select(f => CheckpointManifest.Hash(checkpointDirectory, f, counter))]
            );
            using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
                {
                    using (var manifestStream = new MemoryStream(manifest.ToJsonBytes()))
                    {
                        tar.WriteEntry(
                            new PaxTarEntry(TarEntryType.RegularFile, CheckpointManifest.FileName)
                            {
                                DataStream = manifestStream,
                            }
                        );
                    }

                    // checkpoint.json right after the manifest, so a reader learns what the archive holds early.
                    foreach (var file in files.OrderBy(f => f == CheckpointMetadata.FileName ? 0 : 1))
                    {
                        var entry = manifest.Files.First(e => e.Path == file);
                        using var data = new ProgressReadStream(
                            new FileStream(
                                Path.Combine(checkpointDirectory, file),
                                FileMode.Open,
                                FileAccess.Read,
                                FileShare.Read,
                                1 << 16
                            ),
                            counter
                        );
                        if (data.Length != entry.Size)
                        {
                            throw new DbCheckpointException(
                                Path.Combine(checkpointDirectory, file),
                                "changed while it was exported"
                            );
                        }

                        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, file) { DataStream = data });
                    }
                }

                output.Flush(flushToDisk: true);
            }

            File.Move(tmp, archivePath);
            PosixFiles.SyncDirectory(Path.GetDirectoryName(archivePath)!);
            return manifest;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new DbCheckpointException(archivePath, $"export failed ({e.Message})");
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Exports checkpoint <paramref name="id"/> of a replica's checkpoint directory, which may belong to a
    /// running
    /// replica: the checkpoint is pinned (<see cref="DbCheckpointFilePin"/>) while it is read, so the replica's
    /// retention
    /// cannot delete it meanwhile.</summary>
    /// <exception cref="DbCheckpointException">When there is no such checkpoint, or as <see
    /// cref="Export"/>.</exception>
    public static CheckpointManifest ExportPinned(
        string checkpointsDirectory,
        Cairn.Core.BlockId id,
        string archivePath,
        IProgress<TransferProgress>? progress = null
    )
    {
        using var pin = DbCheckpointFilePin.Acquire(checkpointsDirectory, id);
        return Export(pin.CheckpointDirectory, archivePath, progress);
    }

    /// <summary>
    /// Unpacks <paramref name="archivePath"/> into <paramref name="targetDirectory"/> (created; must not exist).
    /// Refuses
    /// entries that are not plain files or would land outside the target, duplicates, and a truncated or corrupt
    /// stream. Does not check hashes: <see cref="CheckpointVerifier"/> does, against the manifest.
    /// </summary>
    /// <exception cref="DbCheckpointException">Naming the archive and what is wrong with it.</exception>
    public static void Extract(string archivePath, string targetDirectory, IProgress<TransferProgress>? progress = null)
    {
        archivePath = Path.GetFullPath(archivePath);
        if (Directory.Exists(targetDirectory) || File.Exists(targetDirectory))
        {
            throw new DbCheckpointException(targetDirectory, "already exists");
        }

        Directory.CreateDirectory(targetDirectory);
        try
        {
            using var input = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var counter = new ProgressCounter(progress, input.Length);
            using var counted = new ProgressReadStream(input, counter);
            using var gzip = new GZipStream(counted, CompressionMode.Decompress);
            var unpacked = new ProgressCounter(null, 0);
            using var unpackedStream = new ProgressReadStream(gzip, unpacked);
            using var tar = new TarReader(unpackedStream);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var first = true;
            while (tar.GetNextEntry() is { } entry)
            {
                var name = entry.Name;
                if (
                    entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    || !CheckpointManifest.IsSafeRelativePath(name)
                )
                {
                    throw new DbCheckpointException(
                        archivePath,
                        $"entry '{name}' ({entry.EntryType}) is not a plain file inside the checkpoint"
                    );
                }

                if (first && name != CheckpointManifest.FileName)
                {
                    throw new DbCheckpointException(
                        archivePath,
                        $"not a checkpoint archive (its first entry is '{name}', not {CheckpointManifest.FileName})"
                    );
                }

                first = false;
                if (!seen.Add(name))
                {
                    throw new DbCheckpointException(archivePath, $"entry '{name}' appears twice");
                }

                var path = Path.Combine(targetDirectory, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                entry.DataStream?.CopyTo(file);
                file.Flush(flushToDisk: true);
            }

            if (first)
            {
                throw new DbCheckpointException(archivePath, "an empty archive");
            }

            // GZipStream takes a truncated stream's end for the real one; the gzip trailer's length (mod 2^32) does
            // not.
            unpackedStream.CopyTo(Stream.Null);
            var trailer = new byte[4];
            input.Seek(-4, SeekOrigin.End);
            input.ReadExactly(trailer);
            var recorded = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            if (recorded != (uint)unpacked.Done)
            {
                throw new DbCheckpointException(
                    archivePath,
                    $"truncated or corrupt archive (its gzip trailer records {recorded} bytes, it unpacks to "
                        + $"{unpacked.Done})"
                );
            }

            PosixFiles.SyncDirectory(targetDirectory);
        }
        catch (Exception e)
            when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            throw new DbCheckpointException(archivePath, $"truncated or corrupt archive ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DbCheckpointException(archivePath, $"cannot extract the archive ({e.Message})");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover FILE.tmp is harmless and named as such.
        }
    }
}
