using Cairn.Core;

namespace Cairn.Backup;

/// <summary>A complete DB checkpoint on disk: its directory and its validated <c>checkpoint.json</c>.</summary>
public sealed record DbCheckpointInfo(string Directory, CheckpointMetadata Metadata)
{
    public BlockId Id => Metadata.Id;

    public SeqNum SeqNum => Metadata.SeqNum;
}
