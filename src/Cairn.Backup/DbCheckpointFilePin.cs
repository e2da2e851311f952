using System.Globalization;
using Cairn.Core;

namespace Cairn.Backup;

/// <summary>
/// A pin on a checkpoint that holds across processes (<c>cairn checkpoint export</c> reading a running replica's
/// checkpoint): a file <c>&lt;checkpoints&gt;/.pins/&lt;id&gt;.&lt;pid&gt;.&lt;random&gt;.pin</c> kept open with an
/// exclusive
/// lock (flock, which .NET takes for <see cref="FileShare.None"/>) while pinned. The replica's retention and disk
/// monitor
/// leave a checkpoint with a locked pin file alone; a pin file nobody holds locked was left by a process that died,
/// and retention deletes it. Pinning and retiring both hold <c>.pins/lock</c>, so a checkpoint is never renamed away
/// between a reader's check that it exists and its pin.
/// </summary>
public sealed class DbCheckpointFilePin : IDisposable
{
    /// <summary>The folder of pin files inside the checkpoint directory.</summary>
    public const string DirectoryName = ".pins";

    private const string LockFileName = "lock";
    private const string PinSuffix = ".pin";

    // The directory lock is held for a rename or a file creation; waiting this long means something is wrong.
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(60);

    private readonly FileStream _handle;
    private int _released;

    private DbCheckpointFilePin(FileStream handle, string checkpointDirectory)
    {
        _handle = handle;
        CheckpointDirectory = checkpointDirectory;
    }

    /// <summary>The pinned checkpoint's directory.</summary>
    public string CheckpointDirectory { get; }

    /// <summary>The pin file.</summary>
    public string PinFile => _handle.Name;

    /// <summary>Pins checkpoint <paramref name="id"/> in <paramref name="checkpointsDirectory"/>.</summary>
    /// <exception cref="DbCheckpointException">When there is no complete checkpoint <paramref name="id"/> (naming those
    /// there are), or the pin cannot be written.</exception>
    public static DbCheckpointFilePin Acquire(string checkpointsDirectory, BlockId id)
    {
        checkpointsDirectory = Path.GetFullPath(checkpointsDirectory);
        var checkpoint = Path.Combine(checkpointsDirectory, id.Value.ToString(CultureInfo.InvariantCulture));
        var pins = Path.Combine(checkpointsDirectory, DirectoryName);
        try
        {
            if (!File.Exists(Path.Combine(checkpoint, CheckpointMetadata.FileName)))
            {
                throw NoSuchCheckpoint(checkpointsDirectory, checkpoint);
            }

            Directory.CreateDirectory(pins);
            using (HoldLock(checkpointsDirectory))
            {
                // Checked again under the lock: retention may have renamed it away since.
                if (!File.Exists(Path.Combine(checkpoint, CheckpointMetadata.FileName)))
                {
                    throw NoSuchCheckpoint(checkpointsDirectory, checkpoint);
                }

                var name = string.Create(
                    CultureInfo.InvariantCulture,
                    $"{id.Value}.{Environment.ProcessId}.{Guid.NewGuid():N}{PinSuffix}"
                );
                var handle = new FileStream(
                    Path.Combine(pins, name),
                    FileMode.CreateNew,
                    FileAccess.ReadWrite,
                    FileShare.None
                );
                return new DbCheckpointFilePin(handle, checkpoint);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DbCheckpointException(pins, $"cannot pin checkpoint {id} ({e.Message})");
        }
    }

    /// <summary>Releases the pin: the pin file is removed and its lock dropped. Retention deletes a checkpoint it kept
    /// for this reader at its next pass.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        try
        {
            File.Delete(_handle.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unlocked once the handle closes: retention removes it as stale.
        }

        _handle.Dispose();
    }

    /// <summary>Holds <c>.pins/lock</c> of <paramref name="checkpointsDirectory"/> until disposed (waits while another
    /// process holds it).</summary>
    internal static IDisposable HoldLock(string checkpointsDirectory)
    {
        var pins = Path.Combine(checkpointsDirectory, DirectoryName);
        Directory.CreateDirectory(pins);
        var path = Path.Combine(pins, LockFileName);
        var deadline = DateTime.UtcNow + LockPatience;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(path))
            {
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>
    /// True when a live pin holds checkpoint <paramref name="id"/>. Pin files of <paramref name="id"/> that nobody
    /// holds
    /// locked (their process died) are deleted. Call while holding <see cref="HoldLock"/>.
    /// </summary>
    internal static bool IsPinned(string checkpointsDirectory, BlockId id)
    {
        var pins = Path.Combine(checkpointsDirectory, DirectoryName);
        if (!Directory.Exists(pins))
        {
            return false;
        }

        var pinned = false;
        foreach (
            var file in Directory.EnumerateFiles(
                pins,
                string.Create(CultureInfo.InvariantCulture, $"{id.Value}.*{PinSuffix}")
            )
        )
        {
            try
            {
                using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }

                // We got the lock: its owner is gone.
                File.Delete(file);
            }
            catch (FileNotFoundException)
            {
                // Released meanwhile.
            }
            catch (IOException)
            {
                pinned = true;
            }
        }

        return pinned;
    }

    private static DbCheckpointException NoSuchCheckpoint(string checkpointsDirectory, string checkpoint)
    {
        var have = Directory.Exists(checkpointsDirectory)
            ? Directory
                .GetDirectories(checkpointsDirectory)
                .Select(Path.GetFileName)
                .Where(n =>
                    ulong.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    && File.Exists(Path.Combine(checkpointsDirectory, n!, CheckpointMetadata.FileName))
                )
                .OrderBy(n => ulong.Parse(n!, CultureInfo.InvariantCulture))
                .ToList()
            : [];
        return new DbCheckpointException(
            checkpoint,
            $"no such checkpoint (have: {(have.Count == 0 ? "none" : string.Join(", ", have))})"
        );
    }
}
