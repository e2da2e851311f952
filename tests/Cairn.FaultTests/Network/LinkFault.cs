namespace Cairn.FaultTests.Network;

/// <summary>What a <see cref="FaultProxy"/> does to the traffic of one directed link.</summary>
/// <param name="Cut">Live connections are reset and new ones closed at once.</param>
/// <param name="Delay">Each chunk read is held this long before it is forwarded (order is kept).</param>
/// <param name="DropProbability">The chance that a chunk is lost: the connection is reset instead of forwarding it,
/// which is how loss shows on a TCP link (gRPC reconnects; what was in flight is gone).</param>
public sealed record LinkFault(bool Cut = false, TimeSpan Delay = default, double DropProbability = 0)
{
    public static LinkFault None { get; } = new();

    public static LinkFault Down { get; } = new(Cut: true);
}
