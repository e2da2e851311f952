using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>Send <paramref name="Message"/> to one replica.</summary>
public sealed record Send(ReplicaId To, ConsensusMessage Message) : ConsensusOutput;
