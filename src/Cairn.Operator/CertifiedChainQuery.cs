using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Operator;

/// <summary>
/// The body of a <c>certified chain</c> query (<c>cairn backup</c>): the replica's newest stable checkpoint certificate
/// if it is at <paramref name="AtLeast"/> or later, and its blocks from <paramref name="From"/> up to the block that
/// certificate certifies, at most <see cref="PageBytes"/> of them per answer (at least one block); the caller asks
/// again from the next block until an answer is complete.
/// </summary>
public sealed record CertifiedChainQuery(BlockId From, SeqNum AtLeast)
{
    /// <summary>About how many bytes of encoded blocks one answer carries (an answer always carries at least one block
    /// when there is one to send).</summary>
    public const int PageBytes = 1 << 20;

    /// <summary>The largest answer a client accepts: a page plus one block of the largest batch
    /// (<c>max_batch_size_in_bytes</c> ≤ 64 MiB), in base64 JSON.</summary>
    public const int MaxAnswerBytes = 96 << 20;

    public byte[] Encode() => new CanonicalWriter(16).WriteUInt64(From.Value).WriteUInt64(AtLeast.Value).ToArray();

    /// <exception cref="CanonicalEncodingException">When the bytes are not a query body.</exception>
    public static CertifiedChainQuery Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var from = new BlockId(reader.ReadUInt64());
        var atLeast = new SeqNum(reader.ReadUInt64());
        reader.EnsureEnd();
        if (from.Value == 0)
        {
            throw new CanonicalEncodingException("the first block asked for must be 1 or more");
        }

        return new CertifiedChainQuery(from, atLeast);
    }
}
