using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;

namespace Cairn.Protocol.Transport;

/// <summary>
/// The wire format of the replica port's two framed protocols, each a TLS connection that negotiated its own ALPN name
/// instead of HTTP/2 and carries messages one after another, each as a 4-byte little-endian length and the encoded
/// message (docs/architecture.md, "Transport"):
/// <list type="bullet">
/// <item><see cref="PeerAlpn"/>: the dialling replica writes its consensus messages and reads nothing back; who sent
/// them is the replica its pinned certificate names.</item>
/// <item><see cref="ClientAlpn"/>: a client process writes its signed requests (Cairn.ClientProtocol ClientRequest
/// encoding), and the replica writes back one <c>SessionReply</c> (cairn.proto) per request.</item>
/// </list>
/// </summary>
public static class Frames
{
    /// <summary>The TLS application protocol (ALPN) name of the replica-to-replica connection.</summary>
    public static readonly SslApplicationProtocol PeerAlpn = new("cairn-peer/1");

    /// <summary>The TLS application protocol (ALPN) name of a client process's session connection.</summary>
    public static readonly SslApplicationProtocol ClientAlpn = new("cairn-client/1");

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
        var frame = new byte[HeaderBytes + message.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, message.Length);
        message.CopyTo(frame.AsSpan(HeaderBytes));
        return frame;
    }
}
