using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

/// <summary>A harness with a complete checkpoint at seq 20 (holding a consensus record, as a replica's would), its
/// archive, and a stopped "replica" with a database of its own (3 blocks of the same chain) and one old
/// checkpoint.</summary>
internal sealed class CheckpointFixture : IAsyncDisposable
{
    private CheckpointFixture(BackupHarness harness, TempDirectory dir)
    {
        Harness = harness;
        Dir = dir;
    }

    public BackupHarness Harness { get; }

    public TempDirectory Dir { get; }

    public static ReplicaPublicKeys Keys { get; } = new(Certificates.ReplicaKeys);

    public string Checkpoint => Harness.Manager.List()[^1].Directory;

    public CheckpointMetadata Metadata => Harness.Manager.List()[^1].Metadata;

    public string Archive => Dir.Sub("checkpoint.tar.gz");

    public string DataDir => Dir.Sub("replica-data");

    public string Database => Path.Combine(DataDir, "rocksdbdata");

    public string Checkpoints => Path.Combine(Database, "checkpoints");

    public LedgerHead OldHead { get; private set; }

    public static async Task<CheckpointFixture> CreateAsync(int valueSize = 0)
    {
        var harness = new BackupHarness { ValueSize = valueSize };
        harness.Ledger.WriteMetadata([new MetadataWrite("consensus.view", [1, 2, 3])]);
        await harness.RunStableTo(20);
        var fixture = new CheckpointFixture(harness, new TempDirectory());
        CheckpointArchive.Export(fixture.Checkpoint, fixture.Archive);
        using (var old = RocksDbLedger.Open(fixture.Database, new LedgerOptions(BackupHarness.ChainId)))
        {
            for (ulong s = 1; s <= 3; s++)
            {
                old.Append(
                    new BlockProposal(
                        new SeqNum(s),
                        BackupHarness.TimeOf(s),
                        [StateWrite.Put(BackupHarness.Bytes("old"), BackupHarness.Bytes("x"))]
                    )
                );
            }

            // What this replica promised (ConsensusStateStore's records): newer than any checkpoint's.
            old.WriteMetadata([new MetadataWrite("consensus.view", [9])]);
            fixture.OldHead = old.Head;
        }

        Directory.CreateDirectory(Path.Combine(fixture.Checkpoints, "3"));
        File.WriteAllText(Path.Combine(fixture.Checkpoints, "3", "marker"), "old checkpoint");
        return fixture;
    }

    public RestoreRequest Request(string source) =>
        new()
        {
            DataDirectory = DataDir,
            DatabaseDirectory = Database,
            CheckpointsDirectory = Checkpoints,
            Source = source,
            Keys = Keys,
            ChainId = BackupHarness.ChainId,
        };

    /// <summary>A copy of the archive's contents in a directory (manifest included).</summary>
    public string Unpacked(string name)
    {
        var target = Dir.Sub(name);
        CheckpointArchive.Extract(Archive, target);
        return target;
    }

    /// <summary>Everything under <paramref name="directory"/>: relative path and bytes, to show nothing
    /// changed.</summary>
    public static Dictionary<string, string> Snapshot(string directory) =>
        Directory
            .EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(File.ReadAllBytes(f)));

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        Dir.Dispose();
    }
}
