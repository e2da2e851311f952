using System.Buffers.Binary;

namespace Cairn.Core.Encoding;

/// <summary>
/// The one encoding of everything Cairn signs or hashes: fixed-width big-endian integers, length-prefixed byte strings,
/// no optional fields and no maps, so equal values always give equal bytes (protobuf cannot promise that).
/// </summary>
public sealed class CanonicalWriter
{
    private byte[] _buffer;
    private int _length;

    // ToArray handed out _buffer itself: the next write or Clear works on a copy, so the array handed out never
    // changes.
    private bool _handedOut;

    /// <summary>A writer with room for <paramref name="initialCapacity"/> bytes before it grows; one given exactly
    /// what it will write hands its own array out from <see cref="ToArray"/> instead of a copy.</summary>
    public CanonicalWriter(int initialCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = new byte[initialCapacity];
    }

    /// <summary>The bytes written so far; valid until the next write.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public int Length => _length;

    /// <summary>The bytes written, as an array the caller owns: the writer's own when they fill it exactly (nothing is
    /// copied), otherwise a copy.</summary>
    public byte[] ToArray()
    {
        if (_length != _buffer.Length)
        {
            return WrittenSpan.ToArray();
        }

        _handedOut = true;
        return _buffer;
    }

    /// <summary>Forgets what was written so the writer can be reused.</summary>
    public void Clear()
    {
        _length = 0;
        if (_handedOut)
        {
            _buffer = new byte[_buffer.Length];
            _handedOut = false;
        }
    }

    public CanonicalWriter WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        return this;
    }

    public CanonicalWriter WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public CanonicalWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);
        return this;
    }

    public CanonicalWriter WriteInt32(int value) => WriteUInt32(unchecked((uint)value));

    public CanonicalWriter WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);
        return this;
    }

    public CanonicalWriter WriteInt64(long value) => WriteUInt64(unchecked((ulong)value));

    public CanonicalWriter WriteDigest(Digest digest)
    {
        digest.WriteTo(Reserve(Digest.Size));
        return this;
    }

    /// <summary>Raw bytes with no length prefix: only for fields of fixed size (signatures, keys).</summary>
    public CanonicalWriter WriteFixed(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        return this;
    }

    /// <summary>A byte string prefixed by its length as a 32-bit unsigned integer.</summary>
    public CanonicalWriter WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteUInt32((uint)bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length));
        return this;
    }

    /// <summary>UTF-8 text prefixed by its byte length.</summary>
    public CanonicalWriter WriteString(string value)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)length);
        System.Text.Encoding.UTF8.GetBytes(value, Reserve(length));
        return this;
    }

    /// <summary>The next <paramref name="count"/> bytes of the buffer, counted as written: growing it (at least
    /// doubling, from 256 bytes) when they do not fit, or when its array was handed out.</summary>
    private Span<byte> Reserve(int count)
    {
        if (_handedOut || _buffer.Length - _length < count)
        {
            var doubled = _handedOut ? 0 : Math.Max(256, 2 * _buffer.Length);
            var grown = new byte[Math.Max(checked(_length + count), doubled)];
            WrittenSpan.CopyTo(grown);
            _buffer = grown;
            _handedOut = false;
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
