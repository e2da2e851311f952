using Cairn.Core;

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

    /// <summary>True when a request with <paramref name="digest"/> was recorded as verified.</summary>
    public bool Contains(Digest digest) => Volatile.Read(ref _boxes[SlotOf(digest)]) is Digest held && held == digest;

    /// <summary>Records that the request with <paramref name="digest"/> carries a valid signature of its
    /// client.</summary>
    public void Add(Digest digest) => Volatile.Write(ref _boxes[SlotOf(digest)], digest);

    private static int SlotOf(Digest digest) => digest.GetHashCode() & (Slots - 1);
}
