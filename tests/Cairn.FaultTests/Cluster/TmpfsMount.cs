using System.Diagnostics;
using System.Globalization;

namespace Cairn.FaultTests.Cluster;

/// <summary>A small tmpfs mounted on a fresh directory (needs the right to mount: root in a container that allows it),
/// so a scenario can fill a real file system; unmounted and removed when disposed.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MB; null (with mount's reason) when this machine does
    /// not allow it.</summary>
    public static (TmpfsMount? Mount, string Reason) TryMount(int megabytes)
    {
        var directory = Directory.CreateTempSubdirectory("cairn-faults-tmpfs-").FullName;
        var (exit, error) = Run(
            "mount",
            "-t",
            "tmpfs",
            "-o",
            string.Create(CultureInfo.InvariantCulture, $"size={megabytes}m"),
            "tmpfs",
            directory
        );
        if (exit == 0)
        {
            return (new TmpfsMount(directory), "");
        }

        Directory.Delete(directory);
        return (null, error.Trim());
    }

    /// <summary>Writes a file of <paramref name="bytes"/> bytes at <paramref name="name"/> on the tmpfs.</summary>
    public string Fill(string name, long bytes)
    {
        var file = System.IO.Path.Combine(Path, name);
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write);
        var block = new byte[1024 * 1024];
        Random.Shared.NextBytes(block);
        for (var left = bytes; left > 0; left -= block.Length)
        {
            stream.Write(block, 0, (int)Math.Min(block.Length, left));
        }

        stream.Flush(flushToDisk: true);
        return file;
    }

    /// <summary>Bytes free on the tmpfs.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        var (exit, error) = Run("umount", Path);
        if (exit != 0)
        {
            throw new IOException($"umount {Path} failed: {error.Trim()}");
        }

        Directory.Delete(Path);
    }

    private static (int Exit, string Error) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot run {command}");
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
