using Cairn.ClientProtocol;

namespace Cairn.Consensus;

/// <summary>
/// A client's signed request arrived. A host that already checked the client's signature (on its I/O threads, in
/// parallel) sets <paramref name="SignatureVerified"/> so the single consensus thread does not check it again. A host
/// that knows the request came from its client without checking the signature (the client proved its key on the
/// connection the request came on) sets <paramref name="SessionAuthenticated"/> instead: the request is the client's,
/// so the replica may accept it in a PRE-PREPARE, but as primary it checks the signature before proposing it, so that
/// every batch a correct primary proposes verifies at any replica. Either way the replica still checks that the client
/// is known.
/// </summary>
public sealed record ClientRequestReceived(
    ClientRequest Request,
    bool SignatureVerified = false,
    bool SessionAuthenticated = false
) : ConsensusInput;
