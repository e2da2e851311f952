namespace Cairn.Backup;

/// <summary>
/// A checkpoint to read, given as a directory or an archive: an archive is unpacked into a scratch directory, deleted
/// on dispose. Readers (verify, inspect, kv get, restore) then work on <see cref="Directory"/>.
/// </summary>
public sealed class CheckpointSource : IDisposable
{
    private readonly string? _scratch;

    private CheckpointSource(string path, string directory, string? scratch)
    {
        Path = path;
        Directory = directory;
        _scratch = scratch;
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
            return new CheckpointSource(path, path, null);
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

    public void Dispose()
    {
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
