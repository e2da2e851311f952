using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Cairn.Node.Services;

/// <summary>Picks who serves a replica-port connection by the application protocol (ALPN) its TLS handshake
/// negotiated.</summary>
internal static class NegotiatedProtocol
{
    /// <summary>Has <paramref name="serve"/> serve <paramref name="connection"/> when it negotiated
    /// <paramref name="protocol"/>, otherwise hands it to <paramref name="next"/>.</summary>
    public static Task ServeOrPassAsync(
        ConnectionContext connection,
        ConnectionDelegate next,
        SslApplicationProtocol protocol,
        Func<ConnectionContext, Task> serve
    )
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        var negotiated = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol;
        return negotiated is { } name && name.Span.SequenceEqual(protocol.Protocol.Span)
            ? serve(connection)
            : next(connection);
    }
}
