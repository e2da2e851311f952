using Cairn.ClientProtocol;

namespace Cairn.Consensus;

/// <summary>
/// A client's signed request arrived. A host that already checked the client's signature (on its I/O threads, in
/// parallel) sets <paramref name="SignatureVerified"/> so the single consensus thread does not check it again;
/// the replica still checks that the client is known.
/// </summary>
public sealed record ClientRequestReceived(ClientRequest Request, bool SignatureVerified = false) : ConsensusInput;
