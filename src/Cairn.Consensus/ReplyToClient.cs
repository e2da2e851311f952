using Cairn.ClientProtocol;

namespace Cairn.Consensus;

/// <summary>Send <paramref name="Reply"/> to client <paramref name="ClientId"/>.</summary>
public sealed record ReplyToClient(ulong ClientId, ClientReply Reply) : ConsensusOutput;
