using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Cairn.Protocol.Transport;

/// <summary>
/// Cuts one connection's bytes into messages (<see cref="Frames"/>), refusing a length over the receive bound
/// before reading any of it. A small message waits in the caller's buffer until it is whole; a large one is copied
/// into its own array as it arrives, so the connection's buffer never has to hold it.
/// </summary>
public sealed class FrameReader(long maxMessageBytes)
{
    /// <summary>Messages at most this long wait whole in the connection's buffer (well under Kestrel's 1 MiB
    /// default).</summary>
    public const int InBufferBytes = 64 * 1024;

    private byte[]? _large;
    private int _filled;

    /// <summary>Hands every whole message at the start of <paramref name="buffer"/> to <paramref name="deliver"/>, in
    /// order, and returns what is left to keep for the next read.</summary>
    /// <exception cref="InvalidDataException">When a length is over the bound: the connection is to be
    /// closed.</exception>
    public ReadOnlySequence<byte> Take<TState>(
        ReadOnlySequence<byte> buffer,
        ReadOnlySpanAction<byte, TState> deliver,
        TState state
    )
    {
        ArgumentNullException.ThrowIfNull(deliver);
        Span<byte> header = stackalloc byte[Frames.HeaderBytes];
        while (true)
        {
            if (_large is not null)
            {
                var part = (int)Math.Min(buffer.Length, _large.Length - _filled);
                buffer.Slice(0, part).CopyTo(_large.AsSpan(_filled));
                _filled += part;
                buffer = buffer.Slice(part);
                if (_filled < _large.Length)
                {
                    return buffer;
                }

                var message = _large;
                _large = null;
                deliver(message, state);
                continue;
            }

            if (buffer.Length < Frames.HeaderBytes)
            {
                return buffer;
            }

            buffer.Slice(0, Frames.HeaderBytes).CopyTo(header);
            var length = (uint)BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length > maxMessageBytes)
            {
                throw new InvalidDataException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"a {length}-byte message is over the {maxMessageBytes}-byte bound"
                    )
                );
            }

            if (buffer.Length >= Frames.HeaderBytes + length)
            {
                var frame = buffer.Slice(Frames.HeaderBytes, length);
                Deliver(frame, deliver, state);
                buffer = buffer.Slice(frame.End);
            }
            else if (length > InBufferBytes)
            {
                _large = new byte[length];
                _filled = 0;
                buffer = buffer.Slice(Frames.HeaderBytes);
            }
            else
            {
                return buffer;
            }
        }
    }

    private static void Deliver<TState>(
        ReadOnlySequence<byte> message,
        ReadOnlySpanAction<byte, TState> deliver,
        TState state
    )
    {
        if (message.IsSingleSegment)
        {
            deliver(message.FirstSpan, state);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent((int)message.Length);
        try
        {
            message.CopyTo(copy);
            deliver(copy.AsSpan(0, (int)message.Length), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
