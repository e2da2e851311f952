using Cairn.Core;

namespace Cairn.Backup;

/// <summary>What a checkpoint holds, for an auditor (<see cref="CheckpointInspector"/>).</summary>
/// <param name="Directory">The checkpoint directory read.</param>
/// <param name="Metadata">Its <c>checkpoint.json</c>.</param>
/// <param name="ChainId">The chain id the database records.</param>
/// <param name="Blocks">Blocks in the database (1 to the head).</param>
/// <param name="HeadDigest">The head's chain digest, as the database records it.</param>
/// <param name="Keys">Keys of the state, reserved ones included.</param>
/// <param name="ReservedKeys">Of which reserved (first byte 0x00: reply cache, operator nonces, wedge, epoch).</param>
/// <param name="SizeBytes">Bytes of all its files.</param>
/// <param name="ValidSigners">Replicas whose certificate signature verifies (null without keys).</param>
public sealed record CheckpointInspection(
    string Directory,
    CheckpointMetadata Metadata,
    string ChainId,
    ulong Blocks,
    Digest HeadDigest,
    long Keys,
    long ReservedKeys,
    long SizeBytes,
    IReadOnlyList<int>? ValidSigners
);
