using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Consensus.Messages;

/// <summary>One replica's signature inside a certificate.</summary>
public readonly record struct ReplicaSignature(ReplicaId Replica, Signature Signature);
