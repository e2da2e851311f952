using System.Security.Cryptography;
using System.Text.Json;

namespace Cairn.Backup;

/// <summary>
/// The <c>manifest.json</c> of an exported or copied checkpoint: every file's size and SHA-256 (including
/// <c>checkpoint.json</c>, excluding the manifest itself), so a copy that lost, gained or changed a byte is refused
/// naming the file. Written by export and intermittent backup; checked by verify and restore when present.
/// </summary>
public sealed record CheckpointManifest(int FormatVersion, IReadOnlyList<ManifestEntry> Files)
{
    /// <summary>The file name inside a checkpoint directory or archive.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The format this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = StrictJson.Options;

    /// <summary>Total bytes of the files listed.</summary>
    public long TotalBytes => Files.Sum(f => f.Size);

    /// <summary>Hashes every file under <paramref name="directory"/> except a manifest; reports bytes read.</summary>
    public static CheckpointManifest Create(string directory, IProgress<long>? progress = null) =>
        new(
            CurrentFormatVersion,
            [.. FilesOf(directory).Where(f => f != FileName).Select(f => Hash(directory, f, progress))]
        );

    /// <summary>The files under <paramref name="directory"/>, relative and '/'-separated, in ordinal order.</summary>
    public static IReadOnlyList<string> FilesOf(string directory) =>
        [
            .. Directory
                .EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>The entry of one file: its size and SHA-256.</summary>
    public static ManifestEntry Hash(string directory, string relativePath, IProgress<long>? progress = null)
    {
        var full = Path.Combine(directory, relativePath);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
            progress?.Report(read);
        }

        return new ManifestEntry(relativePath, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The JSON text.</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Writes the manifest to <paramref name="path"/> and fsyncs it.</summary>
    public void Write(string path)
    {
        var bytes = ToJsonBytes();
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads and validates a manifest file.</summary>
    /// <exception cref="DbCheckpointException">When it is missing, unreadable or malformed.</exception>
    public static CheckpointManifest Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DbCheckpointException(path, $"cannot read the manifest ({e.Message})");
        }

        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(bytes, Json);
        }
        catch (JsonException e)
        {
            throw new DbCheckpointException(path, $"not a valid manifest ({JsonErrors.Describe(e)})");
        }

        if (manifest is null || manifest.FormatVersion != CurrentFormatVersion)
        {
            throw new DbCheckpointException(
                path,
                $"manifest format {manifest?.FormatVersion} is not the {CurrentFormatVersion} this build reads"
            );
        }

        foreach (var entry in manifest.Files)
        {
            if (!IsSafeRelativePath(entry.Path) || entry.Size < 0 || entry.Sha256.Length != 64)
            {
                throw new DbCheckpointException(path, $"manifest entry '{entry.Path}' is invalid");
            }
        }

        return manifest;
    }

    /// <summary>
    /// Checks that <paramref name="directory"/> holds exactly the listed files (besides the manifest) with their sizes
    /// and hashes; reports bytes read.
    /// </summary>
    /// <exception cref="DbCheckpointException">At the first file missing, unexpected, of another size or another hash,
    /// naming it.</exception>
    public void Verify(string directory, IProgress<long>? progress = null)
    {
        var present = FilesOf(directory).Where(f => f != FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in Files)
        {
            var full = Path.Combine(directory, entry.Path);
            if (!present.Remove(entry.Path))
            {
                throw new DbCheckpointException(full, "missing: the manifest lists this file");
            }

            var length = new FileInfo(full).Length;
            if (length != entry.Size)
            {
                throw new DbCheckpointException(full, $"{length} bytes, the manifest records {entry.Size}");
            }

            var actual = Hash(directory, entry.Path, progress);
            if (!string.Equals(actual.Sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new DbCheckpointException(
                    full,
                    $"SHA-256 {actual.Sha256[..16]}… differs from the manifest's {entry.Sha256[..16]}…"
                );
            }
        }

        if (present.Count > 0)
        {
            throw new DbCheckpointException(
                Path.Combine(directory, present.Order(StringComparer.Ordinal).First()),
                "not listed in the manifest"
            );
        }
    }

    /// <summary>A relative path that stays inside the directory it is joined to.</summary>
    internal static bool IsSafeRelativePath(string path) =>
        path.Length > 0
        && !path.StartsWith('/')
        && !path.Contains('\\', StringComparison.Ordinal)
        && !path.Contains('\0', StringComparison.Ordinal)
        && path.Split('/').All(part => part.Length > 0 && part != "." && part != "..");
}
