using Cairn.Core.Crypto;

namespace Cairn.ClientProtocol.Tests;

/// <summary>Deterministic Ed25519 keys: one per replica and one per client.</summary>
internal static class TestKeys
{
    public static SigningKey Replica(int index) => Seeded(1, index);

    public static SigningKey Client(ulong id) => Seeded(2, (int)id);

    private static SigningKey Seeded(byte kind, int index)
    {
        var seed = new byte[32];
        seed[0] = kind;
        seed[1] = (byte)index;
        return SigningKey.FromSeed(seed);
    }
}
