namespace Cairn.Protocol.Transport;

/// <summary>
/// How client requests travel on a session connection (<see cref="Frames.ClientAlpn"/>): a client writes as many
/// waiting requests at once as fit <see cref="WriteBytes"/>, and sends a request larger than
/// <see cref="LargestOnSession"/> on a <c>Submit</c> call of its own (gRPC, cairn.proto), so that a replica can refuse
/// it alone, with its reason, without closing a connection that other sessions' requests share. A replica closes a
/// session connection that announces a larger request.
/// </summary>
public static class ClientSessionLimits
{
    /// <summary>The most bytes a client writes to a session connection at once, framing included.</summary>
    public const int WriteBytes = 128 * 1024;

    /// <summary>The largest encoded request a client sends on a session connection: one always fits a
    /// write.</summary>
    public const int LargestOnSession = WriteBytes - Frames.HeaderBytes;
}
