using System.Globalization;
using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Ledger.Tests;

/// <summary>A ledger's <see cref="LedgerOptions.FlushStagger"/> moves the write-ahead log size at which RocksDB
/// flushes, so replicas that append the same blocks flush at different ones.</summary>
public sealed class FlushStaggerTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly TempDirectory _dir = new();

    [Fact]
    public void The_same_blocks_start_a_new_log_in_an_unstaggered_ledger_but_not_yet_in_one_staggered_by_a_half()
    {
        using var plain = RocksDbLedger.Open(_dir.Sub("plain"), new LedgerOptions("c1", Durability.Unsynced));
        using var staggered = RocksDbLedger.Open(
            _dir.Sub("staggered"),
            new LedgerOptions("c1", Durability.Unsynced, FlushStagger: 0.5)
        );
        var plainFirstLog = NewestLog(_dir.Sub("plain"));
        var staggeredFirstLog = NewestLog(_dir.Sub("staggered"));

        // 40 MiB of log: over the 32 MiB at which the plain ledger flushes, under the staggered one's 48 MiB.
        var value = new byte[64 * 1024];
        for (ulong seq = 1; LogBytes(_dir.Sub("staggered")) < 40 * MiB; seq++)
        {
            Random.Shared.NextBytes(value);
            var block = new BlockProposal(
                new SeqNum(seq),
                DateTimeOffset.UnixEpoch.AddSeconds(seq),
                [StateWrite.Put(Blocks.Bytes("key-" + seq.ToString(CultureInfo.InvariantCulture)), value)]
            );
            plain.Append(block);
            staggered.Append(block);
        }

        NewestLog(_dir.Sub("plain")).Should().BeGreaterThan(plainFirstLog, "32 MiB of log start a flush and a new log");
        NewestLog(_dir.Sub("staggered")).Should().Be(staggeredFirstLog, "the staggered ledger flushes at 48 MiB");
        plain.Head.Should().Be(staggered.Head);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_stagger_outside_zero_to_one_is_refused_before_anything_is_created(double stagger)
    {
        var act = () => RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1", FlushStagger: stagger));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*accepted: 0 up to but not 1*");
        Directory.Exists(_dir.Sub("db")).Should().BeFalse();
    }

    [Fact]
    public void Four_replicas_flush_4_MiB_of_log_apart_from_32_MiB()
    {
        var stagger = Enumerable.Range(0, 4).Select(i => LedgerOptions.StaggerOf(i, 4));

        stagger.Select(s => 32 * (1 + s)).Should().Equal(32, 36, 40, 44);
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(4, 4)]
    public void A_replica_outside_its_cluster_has_no_stagger(int index, int count)
    {
        var act = () => LedgerOptions.StaggerOf(index, count);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static long NewestLog(string db) =>
        Directory
            .EnumerateFiles(db, "*.log")
            .Max(path => long.Parse(Path.GetFileNameWithoutExtension(path), CultureInfo.InvariantCulture));

    private static long LogBytes(string db) =>
        Directory.EnumerateFiles(db, "*.log").Sum(path => new FileInfo(path).Length);

    public void Dispose() => _dir.Dispose();
}
