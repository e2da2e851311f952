namespace Cairn.Protocol.Transport;

/// <summary>
/// How client requests travel in a <c>ClientApi.Session</c> stream (cairn.proto): a client coalesces waiting requests
/// into one frame up to <see cref="FrameBytes"/>, and sends a request larger than <see cref="LargestCoalesced"/> on a
/// <c>Submit</c> call of its own, so that a replica can refuse it alone, with its reason, without closing a stream that
/// other sessions' requests share.
/// </summary>
public static class ClientSessionLimits
{
    /// <summary>The largest <c>SessionRequests</c> frame a client writes, protobuf framing included.</summary>
    public const int FrameBytes = 128 * 1024;

    /// <summary>Protobuf's framing of one request in a frame, at most: a tag byte and a length of up to five
    /// bytes.</summary>
    public const int FramingBytes = 6;

    /// <summary>The largest encoded request a client puts in a session frame.</summary>
    public const int LargestCoalesced = FrameBytes - FramingBytes;
}
