using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>Encoded message bytes arrived; the replica decodes them and counts malformed ones.</summary>
public sealed record RawMessageReceived(ReplicaId From, ReadOnlyMemory<byte> Bytes) : ConsensusInput;
