using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// A decoded message arrived from <paramref name="From"/> (the transport peer). Authenticity rests on the message's
/// own signature, so relayed messages (a PRE-PREPARE forwarded by a backup) are accepted. A host that already checked
/// that signature (on its I/O threads, in parallel) sets <paramref name="SignatureVerified"/> so the single consensus
/// thread does not check it again; signatures nested inside the message are still checked by the replica, except the
/// client requests of a PRE-PREPARE's batch when the host checked those too (<paramref name="RequestsVerified"/>).
/// </summary>
public sealed record MessageReceived(
    ReplicaId From,
    ConsensusMessage Message,
    bool SignatureVerified = false,
    bool RequestsVerified = false
) : ConsensusInput;
