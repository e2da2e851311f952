using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Cairn.Core;

/// <summary>A SHA-256 digest, compared by value. Stored as four words so equality and hashing cost nothing.</summary>
public readonly struct Digest : IEquatable<Digest>
{
    /// <summary>Size of a digest in bytes.</summary>
    public const int Size = 32;

    private readonly ulong _a,
        _b,
        _c,
        _d;

    private Digest(ReadOnlySpan<byte> bytes)
    {
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The all-zero digest: the "previous digest" of the genesis block.</summary>
    public static Digest Zero => default;

    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Digest Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(data, hash);
        return new Digest(hash);
    }

    /// <summary>Wraps 32 bytes that already are a digest.</summary>
    /// <exception cref="ArgumentException">When <paramref name="bytes"/> is not 32 bytes long.</exception>
    public static Digest FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a digest is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        return new Digest(bytes);
    }

    /// <summary>Parses 64 hex digits (either case).</summary>
    /// <exception cref="FormatException">When <paramref name="hex"/> is not 64 hex digits.</exception>
    public static Digest Parse(string hex)
    {
        if (!TryParse(hex, out var digest))
        {
            throw new FormatException($"a digest is {Size * 2} hex digits, got '{hex}'");
        }

        return digest;
    }

    public static bool TryParse(string? hex, out Digest digest)
    {
        digest = default;
        if (hex is null || hex.Length != Size * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (
            Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Size
        )
        {
            return false;
        }

        digest = new Digest(bytes);
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex, as shown to operators and written to JSON.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public override string ToString() => ToHex();

    public bool Equals(Digest other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Digest other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public static bool operator ==(Digest left, Digest right) => left.Equals(right);

    public static bool operator !=(Digest left, Digest right) => !left.Equals(right);
}
