using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Node.Hosting;

/// <summary>
/// Digests of client requests this replica knows lately to be their clients': their signatures checked, or taken on a
/// session connection where the client proved its key (<see cref="SessionProof"/>). The digest covers the whole
/// encoding, the signature included, so a request known on admission is not checked again in its PRE-PREPARE, nor the
/// reverse. Any thread. A fixed number of slots, each holding the last digest that fell in it: a digest that was
/// overwritten only costs a signature check.
/// </summary>
internal sealed class VerifiedRequests
{
    private const int Slots = 1 << 14;

    // Boxed digests (a signature checked) or SessionVouched (the session's word), so that a slot is read and written
    // whole by any thread.
    private readonly object?[] _boxes = new object?[Slots];

    /// <summary>Whether <paramref name="request"/> carries a valid signature by <paramref name="key"/>: true at once
    /// when the same request's signature was checked lately, otherwise checked now (and recorded when valid).</summary>
    public bool Verify(ClientRequest request, VerificationKey key)
    {
        if (Volatile.Read(ref _boxes[SlotOf(request.Digest)]) is Digest held && held == request.Digest)
        {
            return true;
        }

        return CheckAndRecord(request, key);
    }

    /// <summary>Whether <paramref name="request"/> is its client's: true at once when this replica knows it lately
    /// (its signature checked, or its session's word), otherwise its signature checked now.</summary>
    public bool Authenticate(ClientRequest request, VerificationKey key)
    {
        var held = Volatile.Read(ref _boxes[SlotOf(request.Digest)]);
        if (held is Digest checkedDigest && checkedDigest == request.Digest)
        {
            return true;
        }

        if (held is SessionVouched vouched && vouched.Digest == request.Digest)
        {
            return true;
        }

        return CheckAndRecord(request, key);
    }

    /// <summary>Records that <paramref name="request"/> came on a session connection whose client proved the request's
    /// key, its signature unchecked.</summary>
    public void RecordVouched(ClientRequest request) =>
        Volatile.Write(ref _boxes[SlotOf(request.Digest)], new SessionVouched(request.Digest));

    private bool CheckAndRecord(ClientRequest request, VerificationKey key)
    {
        if (!request.Verify(key))
        {
            return false;
        }

        Volatile.Write(ref _boxes[SlotOf(request.Digest)], request.Digest);
        return true;
    }

    private static int SlotOf(Digest digest) => digest.GetHashCode() & (Slots - 1);

    private sealed record SessionVouched(Digest Digest);
}
