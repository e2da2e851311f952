using System.Diagnostics;
using AwesomeAssertions;

namespace Cairn.Ledger.Tests;

/// <summary>Kills a real process with SIGKILL while it appends, then checks that every block is all or nothing:
/// the head, the state writes and the metadata written with the block agree exactly.</summary>
public sealed class CrashAtomicityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("unsynced")]
    [InlineData("synced")]
    public async Task A_block_is_all_or_nothing_across_a_process_kill(string durability)
    {
        var random = new Random(20261126);
        var db = _dir.Sub("db");
        ulong lastHead = 0;
        for (var round = 0; round < 4; round++)
        {
            await RunWriterUntilKilled(db, durability, TimeSpan.FromMilliseconds(random.Next(50, 400)));

            using var ledger = RocksDbLedger.Open(db, new LedgerOptions());
            var head = ledger.Head.LastBlockId.Value;
            var number = Blocks.Bytes(head.ToString(System.Globalization.CultureInfo.InvariantCulture));
            head.Should().BeGreaterThan(lastHead, "the writer appended at least 100 blocks each round");
            ledger.GetValue(Blocks.Bytes("counter")).Should().Equal(number);
            ledger.GetMetadata("writer.last").Should().Equal(number);
            ledger.GetValue(Blocks.Bytes($"k{head}")).Should().NotBeNull();
            ledger.GetValue(Blocks.Bytes($"k{head + 1}")).Should().BeNull();
            ledger.GetValue(Blocks.Bytes($"k{head - 5}")).Should().BeNull();
            ChainVerifier.Verify(ledger).BlocksChecked.Should().Be(head);
            lastHead = head;
        }
    }

    private static async Task RunWriterUntilKilled(string db, string durability, TimeSpan extraTime)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Cairn.Ledger.CrashWriter.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(db);
        start.ArgumentList.Add(durability);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            // The first progress line means 100 blocks are in (the deadline is generous: a busy machine only makes the
            // wait longer); then let it run a random while longer before the kill.
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Fail(
                    $"the writer exited before appending 100 blocks: "
                        + $"{await process.StandardError.ReadToEndAsync(timeout.Token)}"
                );
            }

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
