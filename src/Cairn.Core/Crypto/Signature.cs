namespace Cairn.Core.Crypto;

/// <summary>An Ed25519 signature (64 bytes), compared by value.</summary>
public readonly struct Signature : IEquatable<Signature>
{
    /// <summary>Size of an Ed25519 signature in bytes.</summary>
    public const int Size = 64;

    private readonly byte[]? _bytes;

    private Signature(byte[] bytes) => _bytes = bytes;

    /// <summary>Copies 64 bytes into a signature.</summary>
    /// <exception cref="ArgumentException">When <paramref name="bytes"/> is not 64 bytes long.</exception>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"an Ed25519 signature is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        return new Signature(bytes.ToArray());
    }

    /// <summary>The signature's bytes; all zeros for the default value.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Size];

    public string ToHex() => Convert.ToHexStringLower(Bytes);

    public override string ToString() => ToHex();

    public bool Equals(Signature other) => Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is Signature other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(Signature left, Signature right) => left.Equals(right);

    public static bool operator !=(Signature left, Signature right) => !left.Equals(right);
}
