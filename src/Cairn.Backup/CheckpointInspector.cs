using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>Reads a checkpoint read-only and sums up what it holds (no verification: see <see
/// cref="CheckpointVerifier"/>).</summary>
public static class CheckpointInspector
{
    /// <exception cref="CheckpointMetadataException">When <c>checkpoint.json</c> is missing or invalid.</exception>
    /// <exception cref="LedgerException">When the database cannot be opened.</exception>
    public static CheckpointInspection Inspect(string directory, ReplicaPublicKeys? keys)
    {
        directory = Path.GetFullPath(directory);
        var metadata = CheckpointMetadata.Read(Path.Combine(directory, CheckpointMetadata.FileName));
        using var reader = RocksDbLedger.OpenReadOnly(directory);
        long count = 0,
            reserved = 0;
        foreach (var (key, _) in reader.ReadState())
        {
            count++;
            if (key.Length > 0 && key[0] == 0x00)
            {
                reserved++;
            }
        }

        var size = System
            .IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Sum(f => new FileInfo(f).Length);
        return new CheckpointInspection(
            directory,
            metadata,
            reader.ChainId,
            reader.Head.LastBlockId.Value,
            reader.Head.LastDigest,
            count,
            reserved,
            size,
            keys is null
                ? null
                : CheckpointVerifier.ValidSigners(metadata.Certificate, keys, GenerationMetadata.Read(reader))
        );
    }
}
