using System.Globalization;
using AwesomeAssertions;

namespace Cairn.Ledger.Tests;

/// <summary>The state's table files and memtables carry a Bloom filter, so the state hash's lookup of a key no file or
/// memtable holds (every write of a new key) does not search each of them (src/Cairn.Ledger/RocksDbLedger.cs,
/// StateFamilyOptions).</summary>
public sealed class StateBloomFilterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void The_state_column_family_is_opened_with_a_bloom_filter_and_the_blocks_without()
    {
        using (RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1", Durability.Unsynced))) { }

        var options = NewestOptionsFile(_dir.Sub("db"));

        TableOption(options, "state", "filter_policy").Should().StartWith("bloomfilter");
        TableOption(options, "blocks", "filter_policy")
            .Should()
            .Be("nullptr", "block ids are looked up only when held");
    }

    [Fact]
    public void The_state_memtables_filter_whole_keys_and_the_other_families_do_not()
    {
        using (RocksDbLedger.Open(_dir.Sub("db"), new LedgerOptions("c1", Durability.Unsynced))) { }

        var options = NewestOptionsFile(_dir.Sub("db"));

        FamilyOption(options, "state", "memtable_whole_key_filtering").Should().Be("true");
        double.Parse(FamilyOption(options, "state", "memtable_prefix_bloom_size_ratio"), CultureInfo.InvariantCulture)
            .Should()
            .BeGreaterThan(0);
        FamilyOption(options, "blocks", "memtable_whole_key_filtering").Should().Be("false");
        FamilyOption(options, "metadata", "memtable_whole_key_filtering").Should().Be("false");
    }

    /// <summary>The newest of the OPTIONS files RocksDB writes at each open: the options it runs with.</summary>
    private static string[] NewestOptionsFile(string db) =>
        File.ReadAllLines(
            Directory
                .EnumerateFiles(db, "OPTIONS-*")
                .Where(path => !path.EndsWith(".dbtmp", StringComparison.Ordinal))
                .OrderBy(path => long.Parse(Path.GetFileName(path)["OPTIONS-".Length..], CultureInfo.InvariantCulture))
                .Last()
        );

    private static string TableOption(string[] lines, string family, string name) =>
        Option(lines, $"[TableOptions/BlockBasedTable \"{family}\"]", name);

    private static string FamilyOption(string[] lines, string family, string name) =>
        Option(lines, $"[CFOptions \"{family}\"]", name);

    private static string Option(string[] lines, string section, string name) =>
        lines
            .SkipWhile(line => line != section)
            .Skip(1)
            .TakeWhile(line => !line.StartsWith('['))
            .Select(line => line.Trim())
            .Single(line => line.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    public void Dispose() => _dir.Dispose();
}
