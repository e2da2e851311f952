using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// A decoded message arrived from <paramref name="From"/> (the transport peer). Authenticity rests on the message's
/// own signature, so relayed messages (a PRE-PREPARE forwarded by a backup) are accepted.
/// </summary>
public sealed record MessageReceived(ReplicaId From, ConsensusMessage Message) : ConsensusInput;
