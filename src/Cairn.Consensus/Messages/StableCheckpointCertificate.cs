using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// Proof that <see cref="Seq"/> is a stable checkpoint with state <see cref="StateDigest"/>: the signatures of at
/// least 2f+1 distinct replicas over their CHECKPOINT messages for (seq, digest). Stored in every DB checkpoint;
/// an auditor needs only this and the replicas' public keys (<see cref="Verify"/>).
/// </summary>
public sealed record StableCheckpointCertificate(
    SeqNum Seq,
    Digest StateDigest,
    IReadOnlyList<ReplicaSignature> Signatures
)
{
    /// <summary>The replicas whose signatures the certificate holds.</summary>
    public IEnumerable<ReplicaId> Signers => Signatures.Select(s => s.Replica);

    /// <summary>
    /// True when at least 2f+1 distinct replicas (ids indexing <paramref name="replicaKeys"/>) validly signed
    /// CHECKPOINT(seq, digest) in <paramref name="generation"/>. Invalid or repeated entries do not count.
    /// </summary>
    public bool Verify(IReadOnlyList<VerificationKey> replicaKeys, int f, ConsensusGeneration generation = default)
    {
        ArgumentNullException.ThrowIfNull(replicaKeys);
        if (Signatures is null)
        {
            return false;
        }

        var valid = new HashSet<int>();
        foreach (var entry in Signatures)
        {
            var id = entry.Replica.Value;
            if ((uint)id >= (uint)replicaKeys.Count || valid.Contains(id))
            {
                continue;
            }

            if (ToMessage(entry).VerifySignature(replicaKeys[id], generation))
            {
                valid.Add(id);
            }
        }

        return valid.Count >= Quorums.Quorum(f);
    }

    /// <summary>The CHECKPOINT messages the signatures came from, so they can be forwarded to a lagging
    /// replica.</summary>
    public IEnumerable<CheckpointMessage> ToMessages() => Signatures.Select(ToMessage);

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode()
    {
        var writer = new CanonicalWriter();
        WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a certificate; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static StableCheckpointCertificate Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var certificate = ReadFrom(ref reader);
        reader.EnsureEnd();
        return certificate;
    }

    internal void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(0x43);
        writer.WriteUInt64(Seq.Value);
        writer.WriteDigest(StateDigest);
        writer.WriteUInt32((uint)Signatures.Count);
        foreach (var entry in Signatures)
        {
            writer.WriteInt32(entry.Replica.Value);
            writer.WriteFixed(entry.Signature.Bytes);
        }
    }

    internal static StableCheckpointCertificate ReadFrom(ref CanonicalReader reader)
    {
        if (reader.ReadByte() != 0x43)
        {
            throw new CanonicalEncodingException("not a stable checkpoint certificate");
        }

        var seq = new SeqNum(reader.ReadUInt64());
        var digest = reader.ReadDigest();
        var count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / (4 + Signature.Size))
        {
            throw new CanonicalEncodingException($"a certificate claims {count} signatures");
        }

        var signatures = new List<ReplicaSignature>((int)count);
        for (var i = 0; i < count; i++)
        {
            signatures.Add(
                new ReplicaSignature(
                    new ReplicaId(reader.ReadInt32()),
                    Signature.FromBytes(reader.ReadFixed(Signature.Size))
                )
            );
        }

        return new StableCheckpointCertificate(seq, digest, signatures);
    }

    private CheckpointMessage ToMessage(ReplicaSignature entry) =>
        new CheckpointMessage(Seq, StateDigest, entry.Replica) { Signature = entry.Signature };
}
