using AwesomeAssertions;

namespace Cairn.Ledger.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void A_checkpoint_holds_the_ledger_as_of_the_call_and_not_later_writes()
    {
        using var ledger = RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1"));
        Blocks.AppendMany(ledger, 100);
        var stateAtCheckpoint = LedgerDigests.State(ledger);

        var head = ledger.CreateCheckpoint(_dir.Sub("cp"));
        Blocks.AppendMany(ledger, 50);

        head.LastBlockId.Value.Should().Be(100);
        using var checkpoint = RocksDbLedger.OpenReadOnly(_dir.Sub("cp"));
        checkpoint.Head.Should().Be(head);
        checkpoint.GetValue(Blocks.Bytes("last")).Should().Equal(Blocks.Bytes("100"));
        checkpoint.GetValue(Blocks.Bytes("key-101")).Should().BeNull();
        checkpoint.GetBlock(new Cairn.Core.BlockId(101)).Should().BeNull();
        LedgerDigests.State(checkpoint).Should().Be(stateAtCheckpoint);
        ChainVerifier.Verify(checkpoint).BlocksChecked.Should().Be(100);
        ledger.GetValue(Blocks.Bytes("last")).Should().Equal(Blocks.Bytes("150"));
    }

    [Fact]
    public void The_write_ahead_log_a_checkpoint_replays_stays_bounded_whatever_was_written()
    {
        // Opening a checkpoint (to finalise or read it) replays every log file it holds. RocksDB's own bound is
        // gigabytes: 96 MiB of 256 KiB values left them all in the log, here and in each checkpoint.
        using var ledger = RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1", Durability.Unsynced));
        var value = new byte[256 * 1024];
        for (var seq = 1UL; seq <= 384; seq++)
        {
            Random.Shared.NextBytes(value);
            ledger.Append(
                new BlockProposal(
                    new Cairn.Core.SeqNum(seq),
                    DateTimeOffset.UnixEpoch.AddSeconds(seq),
                    [StateWrite.Put(Blocks.Bytes($"key-{seq % 16}"), value)]
                )
            );
        }

        ledger.CreateCheckpoint(_dir.Sub("cp"));

        LogBytes(_dir.Sub("db")).Should().BeLessThan(48L * 1024 * 1024);
        LogBytes(_dir.Sub("cp")).Should().BeLessThan(48L * 1024 * 1024);
        using var checkpoint = RocksDbLedger.OpenReadOnly(_dir.Sub("cp"));
        checkpoint.Head.LastBlockId.Value.Should().Be(384);
    }

    private static long LogBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*.log").Sum(file => new FileInfo(file).Length);

    [Fact]
    public void A_checkpoint_of_an_empty_ledger_opens_and_verifies()
    {
        using var ledger = RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1"));

        ledger.CreateCheckpoint(_dir.Sub("cp"));

        using var checkpoint = RocksDbLedger.OpenReadOnly(_dir.Sub("cp"));
        checkpoint.ChainId.Should().Be("c1");
        ChainVerifier.Verify(checkpoint).BlocksChecked.Should().Be(0);
    }

    [Fact]
    public void An_existing_target_is_refused_and_left_as_it_was()
    {
        using var ledger = RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1"));
        Blocks.AppendMany(ledger, 3);
        Directory.CreateDirectory(_dir.Sub("cp"));
        File.WriteAllText(Path.Combine(_dir.Sub("cp"), "mine.txt"), "keep");

        var act = () => ledger.CreateCheckpoint(_dir.Sub("cp"));

        act.Should().Throw<CheckpointTargetExistsException>().Which.Path.Should().Be(_dir.Sub("cp"));
        Directory.GetFileSystemEntries(_dir.Sub("cp")).Should().ContainSingle();
        ledger.Head.LastBlockId.Value.Should().Be(3);
    }

    [Fact]
    public void A_checkpoint_into_a_missing_parent_fails_with_the_path_and_the_ledger_keeps_working()
    {
        using var ledger = RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1"));
        var target = Path.Combine(_dir.Sub("no-such-parent"), "deeper", "cp");

        var act = () => ledger.CreateCheckpoint(target);

        act.Should().Throw<LedgerException>().Which.Path.Should().Be(target);
        Blocks.AppendMany(ledger, 1);
        ledger.Head.LastBlockId.Value.Should().Be(1);
    }

    [Fact]
    public void A_table_file_missing_from_a_checkpoint_stops_its_read_only_open_whatever_the_file_count()
    {
        // A read-only open loads only some table files up front (RocksDbLedger.ReadOnlyMaxOpenFiles); RocksDB must
        // still find every file the MANIFEST lists missing at open, not at the first read that needs it.
        using (var ledger = RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 3);
        }

        RawRocksDb.MutateWithoutCompaction(
            _dir.Sub("db"),
            db =>
            {
                // In the default column family, which the ledger does not use: Flush flushes that one.
                for (var file = 0; file < 40; file++)
                {
                    db.Put(Blocks.Bytes($"filler-{file}"), Blocks.Bytes("x"));
                    db.Flush(new RocksDbSharp.FlushOptions().SetWaitForFlush(true));
                }

                // Taken here: the ledger's own open would compact the files into a few.
                db.Checkpoint().Save(_dir.Sub("cp"));
            }
        );

        var tables = Directory.GetFiles(_dir.Sub("cp"), "*.sst").Order(StringComparer.Ordinal).ToList();
        tables.Should().HaveCountGreaterThan(32);
        using (var whole = RocksDbLedger.OpenReadOnly(_dir.Sub("cp")))
        {
            whole.Head.LastBlockId.Value.Should().Be(3);
        }

        var missing = tables[tables.Count / 2];
        File.Delete(missing);
        var act = () => RocksDbLedger.OpenReadOnly(_dir.Sub("cp"));

        act.Should().Throw<LedgerException>().WithMessage($"*{Path.GetFileName(missing)}*");
    }

    [Fact]
    public void Opening_a_missing_checkpoint_names_it()
    {
        var act = () => RocksDbLedger.OpenReadOnly(_dir.Sub("nothing"));

        act.Should().Throw<NotALedgerException>().WithMessage("*nothing: no such directory");
    }

    public void Dispose() => _dir.Dispose();
}
