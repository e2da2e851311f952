using System.Security.Cryptography;
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
        // Exactly the batch's size, so the writer's array is the encoding with no copy.
        var writer = new CanonicalWriter(
            EmptyEncodedLength + _requests.Sum(request => EncodedLengthOf(request.Encoded.Length))
        );
        writer.WriteUInt32((uint)_requests.Length);
        foreach (var request in _requests)
        {
            writer.WriteBytes(request.Encoded);
        }

        _encoded = writer.ToArray();
    }

    private Batch(ClientRequest[] requests, byte[] encoded)
    {
        _requests = requests;
        _encoded = encoded;
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

    /// <summary>Decodes a batch from one copy of <paramref name="bytes"/>, which its requests share; throws
    /// <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static Batch Decode(ReadOnlySpan<byte> bytes)
    {
        var encoded = bytes.ToArray();
        var reader = new CanonicalReader(encoded);
        var count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 4)
        {
            throw new CanonicalEncodingException($"a batch claims {count} requests in {reader.Remaining} bytes");
        }

        var requests = new ClientRequest[count];
        for (var i = 0; i < count; i++)
        {
            var length = reader.ReadBytes().Length;
            requests[i] = ClientRequest.Decode(encoded.AsMemory(encoded.Length - reader.Remaining - length, length));
        }

        reader.EnsureEnd();
        return new Batch(requests, encoded);
    }

    /// <summary>The digest a proposal is voted on: the primary's timestamp and the batch, so both are agreed.</summary>
    public Digest ProposalDigest(long timestampMs)
    {
        // Hashes tag, timestamp and the batch's encoding as one message, without copying the batch.
        var header = new CanonicalWriter(1 + 8).WriteByte(0x50).WriteInt64(timestampMs);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header.WrittenSpan);
        hash.AppendData(_encoded);
        Span<byte> digest = stackalloc byte[Digest.Size];
        hash.GetHashAndReset(digest);
        return Digest.FromBytes(digest);
    }
}
