using System.Buffers;
using System.Buffers.Binary;

namespace Cairn.Core.Encoding;

/// <summary>
/// The one encoding of everything Cairn signs or hashes: fixed-width big-endian integers, length-prefixed byte strings,
/// no optional fields and no maps, so equal values always give equal bytes (protobuf cannot promise that).
/// </summary>
public sealed class CanonicalWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public CanonicalWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    /// <summary>The bytes written so far; valid until the next write.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public int Length => _buffer.WrittenCount;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Forgets what was written so the writer can be reused.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    public CanonicalWriter WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    public CanonicalWriter WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public CanonicalWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public CanonicalWriter WriteInt32(int value) => WriteUInt32(unchecked((uint)value));

    public CanonicalWriter WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public CanonicalWriter WriteInt64(long value) => WriteUInt64(unchecked((ulong)value));

    public CanonicalWriter WriteDigest(Digest digest)
    {
        digest.WriteTo(_buffer.GetSpan(Digest.Size));
        _buffer.Advance(Digest.Size);
        return this;
    }

    /// <summary>Raw bytes with no length prefix: only for fields of fixed size (signatures, keys).</summary>
    public CanonicalWriter WriteFixed(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>A byte string prefixed by its length as a 32-bit unsigned integer.</summary>
    public CanonicalWriter WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteUInt32((uint)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>UTF-8 text prefixed by its byte length.</summary>
    public CanonicalWriter WriteString(string value)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)length);
        System.Text.Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }
}
