using System.Globalization;
using AwesomeAssertions;

namespace Cairn.Ledger.Tests;

/// <summary>The state's table files carry a Bloom filter, so the state hash's lookup of a key no file holds (every
/// write of a new key) does not search each file (src/Cairn.Ledger/RocksDbLedger.cs, StateFamilyOptions).</summary>
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
        lines
            .SkipWhile(line => line != $"[TableOptions/BlockBasedTable \"{family}\"]")
            .Skip(1)
            .TakeWhile(line => !line.StartsWith('['))
            .Select(line => line.Trim())
            .Single(line => line.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    public void Dispose() => _dir.Dispose();
}
