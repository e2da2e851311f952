using Cairn.Consensus.Messages;

namespace Cairn.Consensus;

/// <summary>A client's signed request arrived.</summary>
public sealed record ClientRequestReceived(ClientRequest Request) : ConsensusInput;
