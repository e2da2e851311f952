using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Backup.Tests;

/// <summary>Real stable checkpoint certificates from deterministic replica keys (n = 4, f = 1).</summary>
internal static class Certificates
{
    public const int F = 1;

    private static readonly SigningKey[] Keys = [.. Enumerable.Range(0, 3 * F + 1).Select(KeyOf)];

    public static IReadOnlyList<VerificationKey> ReplicaKeys { get; } = [.. Keys.Select(k => k.PublicKey)];

    /// <summary>Replicas 0..2f sign CHECKPOINT(seq, digest).</summary>
    public static StableCheckpointCertificate For(SeqNum seq, Digest digest) =>
        new(
            seq,
            digest,
            [
                .. Enumerable
                    .Range(0, 2 * F + 1)
                    .Select(i => new ReplicaSignature(
                        new ReplicaId(i),
                        Keys[i].Sign(new CheckpointMessage(seq, digest, new ReplicaId(i)).SigningBytes())
                    )),
            ]
        );

    private static SigningKey KeyOf(int replica)
    {
        var seed = new byte[32];
        seed[0] = (byte)(replica + 1);
        seed[31] = 0x42;
        return SigningKey.FromSeed(seed);
    }
}
