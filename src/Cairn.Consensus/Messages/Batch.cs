using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>An ordered list of client requests the primary proposes at one sequence number. Empty means
/// no-op.</summary>
public sealed class Batch
{
    private readonly ClientRequest[] _requests;
    private readonly byte[] _encoded;

    /// <summary>Creates a batch of <paramref name="requests"/>, in that order.</summary>
    public Batch(IEnumerable<ClientRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        _requests = [.. requests];
        var writer = new CanonicalWriter();
        writer.WriteUInt32((uint)_requests.Length);
        foreach (var request in _requests)
        {
            writer.WriteBytes(request.Encoded);
        }

        _encoded = writer.ToArray();
    }

    /// <summary>The encoded size of a batch without requests (its count).</summary>
    public const int EmptyEncodedLength = 4;

    /// <summary>What one request of <paramref name="requestLength"/> encoded bytes adds to a batch's encoded size (its
    /// length prefix and bytes): the primary cuts batches and backups check them with this measure.</summary>
    public static int EncodedLengthOf(int requestLength) => 4 + requestLength;

    /// <summary>The encoded size, in bytes.</summary>
    public int EncodedLength => _encoded.Length;

    /// <summary>The batch with no requests, proposed to fill sequence numbers (view change, checkpoint-soon).</summary>
    public static Batch NoOp { get; } = new([]);

    /// <summary>The requests in execution order.</summary>
    public IReadOnlyList<ClientRequest> Requests => _requests;

    /// <summary>True for a batch without requests.</summary>
    public bool IsNoOp => _requests.Length == 0;

    /// <summary>The canonical encoding (count, then each length-prefixed request).</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Decodes a batch; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static Batch Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 4)
        {
            throw new CanonicalEncodingException($"a batch claims {count} requests in {reader.Remaining} bytes");
        }

        var requests = new List<ClientRequest>((int)count);
        for (var i = 0; i < count; i++)
        {
            requests.Add(ClientRequest.Decode(reader.ReadBytes()));
        }

        reader.EnsureEnd();
        return new Batch(requests);
    }

    /// <summary>The digest a proposal is voted on: the primary's timestamp and the batch, so both are agreed.</summary>
    public Digest ProposalDigest(long timestampMs)
    {
        var writer = new CanonicalWriter(_encoded.Length + 16);
        writer.WriteByte(0x50);
        writer.WriteInt64(timestampMs);
        writer.WriteFixed(_encoded);
        return Digest.Compute(writer.WrittenSpan);
    }
}
