using AwesomeAssertions;
using Cairn.Core;
using RocksDbSharp;

namespace Cairn.Ledger.Tests;

/// <summary>What only the on-disk store does: survive reopening, refuse what is not a ledger, detect
/// corruption.</summary>
public sealed class RocksDbLedgerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string DbPath => _dir.Sub("db");

    [Fact]
    public void A_reopened_ledger_has_its_blocks_state_metadata_and_chain()
    {
        LedgerHead head;
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 20);
            ledger.WriteMetadata([new MetadataWrite("consensus.view", [3])]);
            head = ledger.Head;
        }

        using var reopened = RocksDbLedger.Open(DbPath, new LedgerOptions());
        reopened.Head.Should().Be(head);
        reopened.ChainId.Should().Be("c1");
        reopened.GetValue(Blocks.Bytes("last")).Should().Equal(Blocks.Bytes("20"));
        reopened.GetMetadata("consensus.view").Should().Equal(3);
        ChainVerifier.Verify(reopened).Head.Should().Be(head);
        reopened.Append(Blocks.Put(21, ("x", "y"))).PreviousDigest.Should().Be(head.LastDigest);
    }

    [Fact]
    public void Opening_without_a_ledger_and_without_a_chain_id_names_the_path()
    {
        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions());

        act.Should()
            .Throw<LedgerException>()
            .Which.Message.Should()
            .StartWith(Path.GetFullPath(DbPath))
            .And.Contain("no ledger");
        Directory.Exists(DbPath).Should().BeFalse();
    }

    [Fact]
    public void A_directory_of_other_files_is_not_a_ledger_and_is_left_untouched()
    {
        Directory.CreateDirectory(DbPath);
        File.WriteAllText(Path.Combine(DbPath, "notes.txt"), "keep me");

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions("c1"));

        act.Should().Throw<NotALedgerException>().Which.Path.Should().Be(Path.GetFullPath(DbPath));
        Directory.GetFileSystemEntries(DbPath).Should().ContainSingle();
        File.ReadAllText(Path.Combine(DbPath, "notes.txt")).Should().Be("keep me");
    }

    [Fact]
    public void A_foreign_RocksDB_database_is_not_a_ledger_and_keeps_its_data()
    {
        using (var foreign = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), DbPath))
        {
            foreign.Put("theirs", "value");
        }

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions("c1"));
        var readOnly = () => RocksDbLedger.OpenReadOnly(DbPath);

        act.Should().Throw<NotALedgerException>().WithMessage("*not a Cairn ledger*");
        readOnly.Should().Throw<NotALedgerException>();
        using var again = RocksDb.Open(new DbOptions(), DbPath);
        again.Get("theirs").Should().Be("value");
    }

    [Fact]
    public void A_ledger_of_another_chain_is_refused()
    {
        using (RocksDbLedger.Open(DbPath, new LedgerOptions("c1"))) { }

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions("c2"));

        act.Should().Throw<LedgerException>().WithMessage("*chain 'c1', not 'c2'*");
    }

    [Fact]
    public void A_tampered_block_breaks_the_chain_at_the_next_block()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 10);
        }

        // Flip one byte of block 4's value: it still decodes, but its digest changes.
        RawRocksDb.ReplaceBlock(
            DbPath,
            4,
            bytes =>
            {
                bytes[^1] ^= 0x01;
                return bytes;
            }
        );

        using var reopened = RocksDbLedger.Open(DbPath, new LedgerOptions());
        var act = () => ChainVerifier.Verify(reopened);
        act.Should().Throw<LedgerCorruptException>().WithMessage("*block 5 does not chain to block 4*");
    }

    [Fact]
    public void A_tampered_last_block_disagrees_with_the_head()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 3);
        }

        RawRocksDb.ReplaceBlock(
            DbPath,
            3,
            bytes =>
            {
                bytes[^1] ^= 0x01;
                return bytes;
            }
        );

        using var reopened = RocksDbLedger.Open(DbPath, new LedgerOptions());
        var act = () => ChainVerifier.Verify(reopened);
        act.Should().Throw<LedgerCorruptException>().WithMessage("*block 3 has digest*the head records*");
    }

    [Fact]
    public void A_truncated_block_is_reported_as_corrupt_with_its_id()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 5);
        }

        RawRocksDb.ReplaceBlock(DbPath, 2, bytes => bytes[..(bytes.Length / 2)]);

        using var reopened = RocksDbLedger.Open(DbPath, new LedgerOptions());
        var read = () => reopened.GetBlock(new BlockId(2));
        var verify = () => ChainVerifier.Verify(reopened);
        read.Should()
            .Throw<LedgerCorruptException>()
            .WithMessage($"{Path.GetFullPath(DbPath)}: block 2 does not decode*");
        verify.Should().Throw<LedgerCorruptException>().WithMessage("*block 2*");
        reopened.GetBlock(new BlockId(3)).Should().NotBeNull();
    }

    [Fact]
    public void Read_as_links_the_chain_is_the_same_and_every_block_is_checked_as_when_read_whole()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 6);
            ledger.Append(
                new BlockProposal(new SeqNum(7), DateTimeOffset.UnixEpoch, [StateWrite.Delete(Blocks.Bytes("last"))])
            );
        }

        using (var intact = RocksDbLedger.OpenReadOnly(DbPath))
        {
            intact
                .ReadBlockLinks(new BlockId(2))
                .Should()
                .Equal(intact.ReadBlocks(new BlockId(2)).Select(BlockLink.Of));
        }

        byte[] block5 = [];
        RawRocksDb.ReplaceBlock(DbPath, 5, bytes => block5 = bytes);
        RawRocksDb.ReplaceBlock(DbPath, 2, bytes => bytes[..(bytes.Length / 2)]);
        RawRocksDb.ReplaceBlock(DbPath, 3, bytes => [.. bytes, 0]);
        RawRocksDb.ReplaceBlock(DbPath, 4, _ => block5);
        using var broken = RocksDbLedger.OpenReadOnly(DbPath);
        foreach (
            var (from, message) in new[]
            {
                (2UL, "*block 2 does not decode*"),
                (3UL, "*block 3 does not decode*trailing*"),
                (4UL, "*the entry for block 4 holds block 5"),
            }
        )
        {
            var whole = () => broken.ReadBlocks(new BlockId(from)).ToList();
            var links = () => broken.ReadBlockLinks(new BlockId(from)).ToList();
            whole.Should().Throw<LedgerCorruptException>().WithMessage(message);
            links.Should().Throw<LedgerCorruptException>().WithMessage(message);
        }
    }

    [Fact]
    public void A_table_block_that_does_not_read_fails_a_scan_instead_of_ending_it()
    {
        var checkpoint = _dir.Sub("cp");
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1", Durability.Unsynced)))
        {
            // 40 MB of values, past the write-ahead log's bound: RocksDB flushes every column family to table files.
            for (ulong seq = 1; seq <= 200; seq++)
            {
                ledger.Append(Blocks.Put(seq, ($"key-{seq:D4}", new string('v', 200 * 1024))));
            }

            ledger.CreateCheckpoint(checkpoint);
        }

        List<KeyValuePair<byte[], byte[]>> state;
        using (var intact = RocksDbLedger.OpenReadOnly(checkpoint))
        {
            state = [.. intact.ReadState()];
        }

        // One byte flipped in the middle of each table file in turn: a scan reads all its data or fails, never less.
        var tables = Directory.GetFiles(checkpoint, "*.sst");
        tables.Should().HaveCountGreaterThanOrEqualTo(2);
        var failed = 0;
        foreach (var table in tables)
        {
            var copy = _dir.Sub("copy-" + Path.GetFileNameWithoutExtension(table));
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(checkpoint))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            var bytes = File.ReadAllBytes(table);
            bytes[bytes.Length / 3] ^= 0x01;
            File.WriteAllBytes(Path.Combine(copy, Path.GetFileName(table)), bytes);
            ILedgerReader damaged;
            try
            {
                damaged = RocksDbLedger.OpenReadOnly(copy);
            }
            catch (LedgerCorruptException e)
            {
                // The metadata's table: the head is read as the ledger opens, before any scan, and a block there that
                // does not read fails the open the same way (it threw RocksDB's own exception before).
                e.Message.Should().Contain("RocksDB could not read on").And.Contain(Path.GetFileName(table));
                failed++;
                continue;
            }

            using var _ = damaged;
            try
            {
                damaged
                    .ReadState()
                    .Select(kv => Blocks.Text(kv.Key))
                    .Should()
                    .Equal(state.Select(kv => Blocks.Text(kv.Key)));
                damaged.ReadBlocks(new BlockId(1)).Count().Should().Be(200);
            }
            catch (LedgerCorruptException e)
            {
                e.Message.Should().Contain("RocksDB could not read on").And.Contain(Path.GetFileName(table));
                failed++;
            }
        }

        failed.Should().BeGreaterThanOrEqualTo(2, "the blocks' and the state's table files each hold a flipped byte");
    }

    [Fact]
    public void A_reopened_ledger_goes_on_maintaining_its_state_digest()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 5);
        }

        using var reopened = RocksDbLedger.Open(DbPath, new LedgerOptions());
        reopened.StateDigest.Should().Be(LedgerDigests.State(reopened));
        var block = reopened.Append(Blocks.Put(6, ("last", "six"), ("key-1", "changed")));

        block.StateDigest.Should().Be(LedgerDigests.State(reopened)).And.Be(reopened.StateDigest);
    }

    [Fact]
    public void A_new_ledger_is_of_format_2_and_hashes_its_state_with_aes()
    {
        using var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1"));
        Blocks.AppendMany(ledger, 3);

        ledger.GetMetadata("cairn.format").Should().Equal(Blocks.Bytes("cairn-ledger/2"));
        ledger.StateHashScheme.Should().Be(StateHashScheme.Sha256Aes256Ctr);
        ledger.StateDigest.Should().Be(StateHash.Of(StateHashScheme.Sha256Aes256Ctr, ledger.ReadState()).Digest);
    }

    [Fact]
    public void A_ledger_of_format_1_keeps_shake256_through_appends_and_reopening()
    {
        using (RocksDbLedger.Open(DbPath, new LedgerOptions("c1"))) { }
        SetFormat("cairn-ledger/1"); // as a build before format 2 created it

        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            ledger.StateHashScheme.Should().Be(StateHashScheme.Shake256);
            Blocks.AppendMany(ledger, 4);
        }

        using var reopened = RocksDbLedger.Open(DbPath, new LedgerOptions());
        reopened.StateHashScheme.Should().Be(StateHashScheme.Shake256);
        reopened.StateDigest.Should().Be(StateHash.Of(StateHashScheme.Shake256, reopened.ReadState()).Digest);
        reopened.StateDigest.Should().NotBe(StateHash.Of(StateHashScheme.Sha256Aes256Ctr, reopened.ReadState()).Digest);
        reopened.Append(Blocks.Put(5, ("k", "v"))).StateDigest.Should().Be(LedgerDigests.State(reopened));
        ChainVerifier.Verify(reopened).Head.Should().Be(reopened.Head);
    }

    [Fact]
    public void A_ledger_format_this_build_does_not_read_is_refused_with_the_formats_it_reads()
    {
        using (RocksDbLedger.Open(DbPath, new LedgerOptions("c1"))) { }
        SetFormat("cairn-ledger/9");

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions());

        act.Should()
            .Throw<NotALedgerException>()
            .WithMessage(
                "*ledger format 'cairn-ledger/9' is not one this build reads (cairn-ledger/1, cairn-ledger/2)*"
            );
    }

    private void SetFormat(string format) =>
        RawRocksDb.Mutate(
            DbPath,
            db =>
                db.Put(
                    LedgerKeys.MetadataKey(LedgerKeys.FormatKey),
                    Blocks.Bytes(format),
                    db.GetColumnFamily(LedgerKeys.MetadataFamily)
                )
        );

    [Fact]
    public void A_maintained_state_hash_that_the_head_block_does_not_record_is_corrupt()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 3);
        }

        RawRocksDb.Mutate(
            DbPath,
            db =>
                db.Put(
                    LedgerKeys.MetadataKey(LedgerKeys.StateHashKey),
                    StateHash.Empty(StateHashScheme.Sha256Aes256Ctr).ToBytes(),
                    db.GetColumnFamily(LedgerKeys.MetadataFamily)
                )
        );

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions());
        act.Should().Throw<LedgerCorruptException>().WithMessage("*maintained state digest*block 3 records*");
    }

    [Fact]
    public void A_state_value_altered_behind_the_ledger_no_longer_hashes_to_the_recorded_state_digest()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 3);
        }

        RawRocksDb.Mutate(
            DbPath,
            db => db.Put(Blocks.Bytes("key-2"), Blocks.Bytes("forged"), db.GetColumnFamily(LedgerKeys.StateFamily))
        );

        using var reader = RocksDbLedger.OpenReadOnly(DbPath);
        LedgerDigests.State(reader).Should().NotBe(LedgerDigests.RecordedState(reader));
        reader.StateDigest.Should().Be(LedgerDigests.RecordedState(reader));
    }

    [Fact]
    public void A_head_naming_a_missing_block_is_corrupt()
    {
        using (var ledger = RocksDbLedger.Open(DbPath, new LedgerOptions("c1")))
        {
            Blocks.AppendMany(ledger, 3);
        }

        RawRocksDb.Mutate(
            DbPath,
            db => db.Remove(LedgerKeys.BlockKey(new BlockId(3)), db.GetColumnFamily(LedgerKeys.BlocksFamily))
        );

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions());
        act.Should().Throw<LedgerCorruptException>().WithMessage("*head names block 3*");
    }

    [Fact]
    public void A_ledger_open_in_one_place_cannot_be_opened_for_writing_again()
    {
        using var first = RocksDbLedger.Open(DbPath, new LedgerOptions("c1"));

        var act = () => RocksDbLedger.Open(DbPath, new LedgerOptions("c1"));

        act.Should().Throw<LedgerException>().WithMessage("*RocksDB cannot open the ledger*");
    }

    public void Dispose() => _dir.Dispose();
}
