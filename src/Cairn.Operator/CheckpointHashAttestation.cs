using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Operator;

/// <summary>
/// One replica's signed answer to <c>checkpoint hash</c>: "checkpoint <see cref="CheckpointId"/> (seq, last block,
/// epoch)
/// holds state digest <see cref="StateDigest"/>", signed with the replica's own key. It names the query's nonce, so an
/// answer captured from an earlier query cannot be passed off as the answer to a new one.
/// </summary>
public sealed record CheckpointHashAttestation
{
    private const byte DomainTag = 0x62;

    private CheckpointHashAttestation(
        ReplicaId replica,
        BlockId checkpointId,
        SeqNum seqNum,
        BlockId lastBlockId,
        Digest stateDigest,
        ulong epoch,
        ulong queryNonce,
        Signature signature
    )
    {
        Replica = replica;
        CheckpointId = checkpointId;
        SeqNum = seqNum;
        LastBlockId = lastBlockId;
        StateDigest = stateDigest;
        Epoch = epoch;
        QueryNonce = queryNonce;
        Signature = signature;
    }

    public ReplicaId Replica { get; }

    public BlockId CheckpointId { get; }

    public SeqNum SeqNum { get; }

    public BlockId LastBlockId { get; }

    /// <summary>The digest of the checkpoint's whole state (every key and value).</summary>
    public Digest StateDigest { get; }

    /// <summary>The epoch the checkpoint was taken in.</summary>
    public ulong Epoch { get; }

    /// <summary>The nonce of the query this answers.</summary>
    public ulong QueryNonce { get; }

    public Signature Signature { get; }

    /// <summary>Creates the statement and signs it with <paramref name="replicaKey"/>.</summary>
    public static CheckpointHashAttestation Create(
        ReplicaId replica,
        BlockId checkpointId,
        SeqNum seqNum,
        BlockId lastBlockId,
        Digest stateDigest,
        ulong epoch,
        ulong queryNonce,
        SigningKey replicaKey
    )
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        var unsigned = new CheckpointHashAttestation(
            replica,
            checkpointId,
            seqNum,
            lastBlockId,
            stateDigest,
            epoch,
            queryNonce,
            default
        );
        return new CheckpointHashAttestation(
            replica,
            checkpointId,
            seqNum,
            lastBlockId,
            stateDigest,
            epoch,
            queryNonce,
            replicaKey.Sign(unsigned.SigningBytes())
        );
    }

    /// <summary>True when the statement carries a valid signature of <paramref name="replicaKey"/>.</summary>
    public bool Verify(VerificationKey replicaKey)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        return replicaKey.Verify(SigningBytes(), Signature);
    }

    /// <summary>Null when this is replica <paramref name="replica"/>'s valid answer to the query for checkpoint
    /// <paramref name="checkpointId"/> with nonce <paramref name="queryNonce"/>, else what is wrong with it.</summary>
    public string? ProblemAsAnswer(
        ReplicaId replica,
        BlockId checkpointId,
        ulong queryNonce,
        VerificationKey replicaKey
    )
    {
        if (Replica != replica)
        {
            return $"the statement names replica {Replica}, but replica {replica} sent it";
        }

        if (!Verify(replicaKey))
        {
            return $"the signature is not replica {replica}'s";
        }

        if (CheckpointId != checkpointId || QueryNonce != queryNonce)
        {
            return $"the statement answers another query (checkpoint {CheckpointId}, nonce {QueryNonce:x16})";
        }

        return null;
    }

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(160);
        WriteSigned(writer);
        writer.WriteFixed(Signature.Bytes);
        return writer.ToArray();
    }

    /// <summary>Decodes a statement; the signature is not checked here (see <see cref="Verify"/>).</summary>
    /// <exception cref="CanonicalEncodingException">When the bytes are not a checkpoint hash statement.</exception>
    public static CheckpointHashAttestation Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadByte() != DomainTag)
        {
            throw new CanonicalEncodingException("not a checkpoint hash statement");
        }

        var attestation = new CheckpointHashAttestation(
            new ReplicaId(reader.ReadInt32()),
            new BlockId(reader.ReadUInt64()),
            new SeqNum(reader.ReadUInt64()),
            new BlockId(reader.ReadUInt64()),
            reader.ReadDigest(),
            reader.ReadUInt64(),
            reader.ReadUInt64(),
            Signature.FromBytes(reader.ReadFixed(Signature.Size))
        );
        reader.EnsureEnd();
        return attestation;
    }

    private byte[] SigningBytes()
    {
        var writer = new CanonicalWriter(96);
        WriteSigned(writer);
        return writer.ToArray();
    }

    private void WriteSigned(CanonicalWriter writer) =>
        writer
            .WriteByte(DomainTag)
            .WriteInt32(Replica.Value)
            .WriteUInt64(CheckpointId.Value)
            .WriteUInt64(SeqNum.Value)
            .WriteUInt64(LastBlockId.Value)
            .WriteDigest(StateDigest)
            .WriteUInt64(Epoch)
            .WriteUInt64(QueryNonce);
}
