namespace Cairn.Operator;

/// <summary>A replica's answer to a <see cref="CertifiedChainQuery"/> (JSON through <see cref="OperatorAnswerJson"/>).
/// Nothing in it needs trusting the replica: the certificate carries 2f+1 signatures and the blocks chain by
/// digest, both checked by the caller.</summary>
/// <param name="LastExecuted">The replica's last executed sequence number, so a caller can tell a cluster that is
/// getting there from one that is stuck.</param>
/// <param name="LastStable">The replica's last stable sequence number.</param>
/// <param name="Certificate">Base64 of the stable checkpoint certificate, or null when the replica has none at or
/// above the sequence number asked for.</param>
/// <param name="Blocks">Base64 of the encoded blocks from the one asked for on, in order.</param>
/// <param name="Complete">True when the last block is the one <paramref name="Certificate"/> certifies.</param>
public sealed record CertifiedChainAnswer(
    int Replica,
    ulong LastExecuted,
    ulong LastStable,
    string? Certificate,
    IReadOnlyList<string> Blocks,
    bool Complete
);
