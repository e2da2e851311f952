using Cairn.Consensus.Messages;

namespace Cairn.Consensus;

/// <summary>Send <paramref name="Message"/> to every other replica.</summary>
public sealed record Broadcast(ConsensusMessage Message) : ConsensusOutput;
