using System.Buffers.Binary;

namespace Cairn.Core.Encoding;

/// <summary>Reads what <see cref="CanonicalWriter"/> wrote; every read checks bounds and throws
/// <see cref="CanonicalEncodingException"/> on truncated input instead of reading past the end.</summary>
public ref struct CanonicalReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public CanonicalReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public readonly bool IsAtEnd => _position == _data.Length;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() =>
        ReadByte() switch
        {
            0 => false,
            1 => true,
            var b => throw new CanonicalEncodingException($"a boolean is 0 or 1, got {b}"),
        };

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public int ReadInt32() => unchecked((int)ReadUInt32());

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    public long ReadInt64() => unchecked((long)ReadUInt64());

    public Digest ReadDigest() => Digest.FromBytes(Take(Digest.Size));

    public ReadOnlySpan<byte> ReadFixed(int length) => Take(length);

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadUInt32();
        if (length > (uint)Remaining)
        {
            throw new CanonicalEncodingException($"a byte string claims {length} bytes but only {Remaining} remain");
        }

        return Take((int)length);
    }

    public string ReadString()
    {
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes());
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new CanonicalEncodingException("a string is not valid UTF-8");
        }
    }

    /// <summary>Throws when bytes remain: a canonical value has exactly one encoding, with nothing after it.</summary>
    public readonly void EnsureEnd()
    {
        if (!IsAtEnd)
        {
            throw new CanonicalEncodingException($"{Remaining} unexpected trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > Remaining)
        {
            throw new CanonicalEncodingException(
                $"truncated: needed {length} bytes at offset {_position}, {Remaining} remain"
            );
        }

        var slice = _data.Slice(_position, length);
        _position += length;
        return slice;
    }
}
