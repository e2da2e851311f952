using System.Diagnostics;
using AwesomeAssertions;
using Cairn.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Backup.Tests;

/// <summary>kill -9 at random instants of a process that checkpoints at every boundary: after each kill the replica's
/// database opens and every checkpoint the next start lists is complete and verifies.</summary>
public sealed class CrashTests : IDisposable
{
    // A short run in the default suite; the fault campaign (./test.sh --faults, or CAIRN_FAULTS=1) kills 24 times.
    private static int Kills => Environment.GetEnvironmentVariable("CAIRN_FAULTS") == "1" ? 24 : 8;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_kill_at_any_moment_never_leaves_a_listed_but_broken_checkpoint()
    {
        var random = new Random(20261126);
        var verified = 0;
        var interrupted = 0;
        for (var round = 0; round < Kills; round++)
        {
            await RunUntilKilled(TimeSpan.FromMilliseconds(random.Next(0, 300)));

            interrupted += Directory.EnumerateFileSystemEntries(_dir.Sub("checkpoints")).Count(IsInterrupted);
            using var ledger = RocksDbLedger.Open(_dir.Sub("rocksdbdata"), new LedgerOptions());
            ChainVerifier.Verify(ledger);
            using var metrics = new BackupMetrics();
            var settings = new DbCheckpointSettings
            {
                DurationSeconds = 1,
                Window = 5,
                MaxCheckpoints = 2,
                Path = _dir.Sub("checkpoints"),
            };
            await using var manager = new DbCheckpointManager(
                settings,
                ledger,
                ledger.ChainId,
                FileSystemFreeSpace.Instance,
                TimeProvider.System,
                NullLogger.Instance,
                metrics
            );
            manager.Recover();
            await manager.WhenIdleAsync(TestContext.Current.CancellationToken);

            var listed = manager.List();
            listed.Count.Should().BeLessThanOrEqualTo(2);
            foreach (var checkpoint in listed)
            {
                using var reader = RocksDbLedger.OpenReadOnly(checkpoint.Directory);
                var head = ChainVerifier.Verify(reader).Head;
                head.LastSeqNum.Should().Be(checkpoint.SeqNum);
                head.LastBlockId.Should().Be(checkpoint.Id);
                head.LastDigest.Should().Be(checkpoint.Metadata.LastBlockDigest);
                LedgerDigests.State(reader).Should().Be(checkpoint.Metadata.StateDigest);
                checkpoint.Metadata.Certificate.Verify(CrashKeys, 1).Should().BeTrue();
                verified++;
            }

            Directory
                .EnumerateFileSystemEntries(_dir.Sub("checkpoints"))
                .Where(IsInterrupted)
                .Should()
                .BeEmpty("start removes interrupted checkpoints");
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Kills} kills: {interrupted} interrupted checkpoints cleaned up, {verified} complete ones verified"
        );

        verified
            .Should()
            .BeGreaterThanOrEqualTo(
                Kills,
                "every round is killed after a complete checkpoint, which the next start lists"
            );
    }

    private static bool IsInterrupted(string entry) =>
        entry.EndsWith(".tmp", StringComparison.Ordinal) || entry.EndsWith(".deleting", StringComparison.Ordinal);

    private static IReadOnlyList<Cairn.Core.Crypto.VerificationKey> CrashKeys { get; } =
    [
        .. Enumerable
            .Range(0, 4)
            .Select(i =>
            {
                var seed = new byte[32];
                seed[0] = (byte)(i + 1);
                using var key = Cairn.Core.Crypto.SigningKey.FromSeed(seed);
                return key.PublicKey;
            }),
    ];

    private async Task RunUntilKilled(TimeSpan extraTime)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "Cairn.Backup.CrashCheckpointer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(tool);
        start.ArgumentList.Add(_dir.Path);
        using var process = Process.Start(start)!;
        // Generous: the wait ends as soon as a complete checkpoint is listed; a busy machine only makes it longer.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            // Each line is "<seq> <complete checkpoints>": the kill lands at a random instant after the first complete
            // one.
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.Fail(
                        $"the checkpointer exited before it completed a checkpoint: "
                            + $"{await process.StandardError.ReadToEndAsync(timeout.Token)}"
                    );
                }

                if (int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    break;
                }
            }

            // Keep reading so the process never blocks on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            await Task.Delay(extraTime, timeout.Token);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public void Dispose() => _dir.Dispose();
}
