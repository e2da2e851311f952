using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Node.Hosting;

/// <summary>
/// Digests of client requests whose signatures this replica checked lately (the digest covers the whole encoding, the
/// signature included), so that a request checked on admission is not checked again in its PRE-PREPARE, nor the
/// reverse. Any thread. A fixed number of slots, each holding the last digest that fell in it: a digest that was
/// overwritten only costs a second check.
/// </summary>
internal sealed class VerifiedRequests
{
    private const int Slots = 1 << 14;

    // Boxed digests, so that a slot is read and written whole by any thread.
    private readonly object?[] _boxes = new object?[Slots];

    /// <summary>Whether <paramref name="request"/> carries a valid signature by <paramref name="key"/>: true at once
    /// when the same request was checked lately, otherwise checked now (and recorded when valid).</summary>
    public bool Verify(ClientRequest request, VerificationKey key)
    {
        var slot = SlotOf(request.Digest);
        if (Volatile.Read(ref _boxes[slot]) is Digest held && held == request.Digest)
        {
            return true;
        }

        if (!request.Verify(key))
        {
            return false;
        }

        Volatile.Write(ref _boxes[slot], request.Digest);
        return true;
    }

    private static int SlotOf(Digest digest) => digest.GetHashCode() & (Slots - 1);
}
