using System.Globalization;
using Cairn.Core;

namespace Cairn.Backup;

/// <summary>
/// A checkpoint to read, given as a directory or an archive: an archive is unpacked into a scratch directory, deleted
/// on dispose. Readers (verify, inspect, kv get, restore) then work on <see cref="Directory"/>. A checkpoint in a live
/// replica's checkpoint directory (one with <c>.pins</c>) is pinned until disposed, so the replica's retention cannot
/// delete it while it is read.
/// </summary>
public sealed class CheckpointSource : IDisposable
{
    private readonly string? _scratch;
    private readonly DbCheckpointFilePin? _pin;

    private CheckpointSource(string path, string directory, string? scratch, DbCheckpointFilePin? pin = null)
    {
        Path = path;
        Directory = directory;
        _scratch = scratch;
        _pin = pin;
    }

    /// <summary>What the operator named.</summary>
    public string Path { get; }

    /// <summary>The checkpoint directory to read.</summary>
    public string Directory { get; }

    /// <summary>True when the source was an archive.</summary>
    public bool IsArchive => _scratch is not null;

    /// <summary>Opens <paramref name="path"/>: a directory as it is, an archive unpacked under <paramref
    /// name="scratchParent"/>
    /// (the system temp directory by default).</summary>
    /// <exception cref="DbCheckpointException">When the path does not exist, or the archive cannot be
    /// unpacked.</exception>
    public static CheckpointSource Open(
        string path,
        string? scratchParent = null,
        IProgress<TransferProgress>? progress = null
    )
    {
        path = System.IO.Path.GetFullPath(path);
        if (System.IO.Directory.Exists(path))
        {
            return new CheckpointSource(path, path, null, PinIfLive(path));
        }

        if (!File.Exists(path))
        {
            throw new DbCheckpointException(path, "no such checkpoint directory or archive");
        }

        var scratch = System.IO.Path.Combine(
            scratchParent ?? System.IO.Path.GetTempPath(),
            ScratchPrefix + Guid.NewGuid().ToString("N")[..12]
        );
        try
        {
            CheckpointArchive.Extract(path, scratch, progress);
        }
        catch
        {
            DeleteDirectory(scratch);
            throw;
        }

        return new CheckpointSource(path, scratch, scratch);
    }

    /// <summary>The name prefix of scratch directories, so leftovers of a crash can be recognised and
    /// removed.</summary>
    public const string ScratchPrefix = ".cairn-unpacked-";

    /// <summary>Pins <paramref name="checkpoint"/> when it sits, under its id, in a replica's checkpoint directory;
    /// null for a copy elsewhere.</summary>
    /// <exception cref="DbCheckpointException">When retention retired it meanwhile (naming the checkpoints there are),
    /// or the pin cannot be written.</exception>
    private static DbCheckpointFilePin? PinIfLive(string checkpoint)
    {
        var checkpoints = System.IO.Path.GetDirectoryName(checkpoint.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var name = System.IO.Path.GetFileName(checkpoint.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        return
            checkpoints is not null
            && ulong.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && System.IO.Directory.Exists(System.IO.Path.Combine(checkpoints, DbCheckpointFilePin.DirectoryName))
            ? DbCheckpointFilePin.Acquire(checkpoints, new BlockId(id))
            : null;
    }

    public void Dispose()
    {
        _pin?.Dispose();
        if (_scratch is not null)
        {
            DeleteDirectory(_scratch);
        }
    }

    internal static void DeleteDirectory(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a scratch directory is recognisable by its prefix and removed by the next restore.
        }
    }
}
