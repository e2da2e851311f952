using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;

namespace Cairn.Protocol.Transport;

/// <summary>
/// The replica-to-replica wire format: on a TLS connection to the replica port that negotiated <see cref="Alpn"/>
/// instead of HTTP/2, the dialling replica writes its consensus messages one after another, each as a 4-byte
/// little-endian length and the encoded message, and reads nothing back. Who sent a connection's messages is the
/// replica its pinned certificate names (docs/architecture.md, "Transport").
/// </summary>
public static class PeerFrames
{
    /// <summary>The TLS application protocol (ALPN) name of the replica-to-replica connection.</summary>
    public static readonly SslApplicationProtocol Alpn = new("cairn-peer/1");

    /// <summary>The length prefix of every message.</summary>
    public const int HeaderBytes = 4;

    /// <summary>Appends <paramref name="message"/> as one frame to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var frame = output.GetSpan(HeaderBytes + message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(frame, message.Length);
        message.CopyTo(frame[HeaderBytes..]);
        output.Advance(HeaderBytes + message.Length);
    }

    /// <summary><paramref name="message"/> as one frame.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> message)
    {
        var output = new ArrayBufferWriter<byte>(HeaderBytes + message.Length);
        Write(output, message);
        return output.WrittenSpan.ToArray();
    }
}
