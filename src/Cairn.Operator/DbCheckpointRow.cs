namespace Cairn.Operator;

/// <summary>One complete DB checkpoint as a replica lists it in <see cref="DbCheckpointStatusAnswer"/>.</summary>
/// <param name="LastBlockDigest">Lowercase hex.</param>
/// <param name="StateDigest">Lowercase hex.</param>
/// <param name="CreatedAt">The boundary block's consensus time.</param>
/// <param name="ExclusiveBytes">Bytes no other checkpoint or the live database links.</param>
/// <param name="Signers">The replicas whose signatures make its stable-checkpoint certificate.</param>
public sealed record DbCheckpointRow(
    ulong Id,
    ulong SeqNum,
    ulong LastBlockId,
    string LastBlockDigest,
    string StateDigest,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    long ExclusiveBytes,
    IReadOnlyList<int> Signers,
    long Epoch
);
