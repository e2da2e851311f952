using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Cairn.Node.Services;

/// <summary>Which application protocol (ALPN) a replica-port connection negotiated in its TLS handshake.</summary>
internal static class NegotiatedProtocol
{
    /// <summary>True when <paramref name="connection"/> negotiated <paramref name="protocol"/>.</summary>
    public static bool Is(ConnectionContext connection, SslApplicationProtocol protocol) =>
        connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol is { } negotiated
        && negotiated.Span.SequenceEqual(protocol.Protocol.Span);
}
