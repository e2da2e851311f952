using System.Diagnostics;
using AwesomeAssertions;

namespace Cairn.Backup.Tests;

/// <summary>The disk guard on a real, small file system: a 32 MiB tmpfs holding the database and its checkpoints.
/// Needs permission to mount (root, or a container that allows it); skipped with a message otherwise.</summary>
public sealed class RealFileSystemTests
{
    [Fact]
    public async Task On_a_small_tmpfs_the_guard_skips_when_space_is_short_and_takes_when_it_is_not()
    {
        using var mountPoint = new TempDirectory();
        if (!OperatingSystem.IsLinux() || !Run("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mountPoint.Path))
        {
            Assert.Skip(
                "cannot mount a tmpfs here (needs Linux and permission to mount): the real-file-system disk guard test "
                    + "did not run"
            );
        }

        try
        {
            var settings = BackupHarness.DefaultSettings with { DiskSpaceThreshold = 1.0 };
            await using (
                var h = new BackupHarness(settings, mountPoint.Path, FileSystemFreeSpace.Instance)
                {
                    ValueSize = 100_000,
                }
            )
            {
                h.RunTo(19); // about 2 MB of incompressible values
                var dbBytes = Directory
                    .EnumerateFiles(Path.Combine(mountPoint.Path, "rocksdbdata"))
                    .Sum(f => new FileInfo(f).Length);
                dbBytes.Should().BeGreaterThan(1_500_000);
                var filler = Path.Combine(mountPoint.Path, "filler");
                var free = FileSystemFreeSpace.Instance.AvailableBytes(mountPoint.Path);
                await File.WriteAllBytesAsync(
                    filler,
                    new byte[free - (dbBytes / 2)],
                    TestContext.Current.CancellationToken
                );

                h.RunTo(20)[20].Should().Be(BoundaryOutcome.Skipped);
                h.Manager.Status.LastSkipReason.Should().Be(CheckpointSkipReason.LowDiskSpace);

                File.Delete(filler);
                h.RunTo(40)[40].Should().Be(BoundaryOutcome.Taken);
                await h.StableAsync(40);

                var checkpoint = h.Manager.List().Should().ContainSingle().Subject;
                checkpoint.Metadata.SeqNum.Value.Should().Be(40);
                checkpoint
                    .Metadata.ExclusiveBytes.Should()
                    .BePositive("the copied write-ahead log and metadata files are the checkpoint's own");
            }
        }
        finally
        {
            Run("umount", "-l", mountPoint.Path);
        }
    }

    private static bool Run(string command, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(
                new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true }
            );
            if (process is null)
            {
                return false;
            }

            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
