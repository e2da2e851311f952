using System.Security.Cryptography;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Operator;

/// <summary>
/// A signed operator command: type, the chain it is for, body, a random nonce and the issue time, signed with the
/// operator's private key. Every replica checks the signature against the operator public key from its config, and
/// refuses a command for another chain, a nonce it has seen and a command issued outside the accepted window, so a
/// captured command can neither be forged nor replayed, not even on another chain the same operator key runs.
/// </summary>
public sealed record OperatorCommand
{
    private const byte DomainTag = 0x61; // 0x60 was the layout without the chain id

    private OperatorCommand(
        OperatorCommandType type,
        string chainId,
        byte[] body,
        ulong nonce,
        DateTimeOffset issuedAt,
        Signature signature
    )
    {
        Type = type;
        ChainId = chainId;
        Body = body;
        Nonce = nonce;
        IssuedAt = issuedAt;
        Signature = signature;
    }

    public OperatorCommandType Type { get; }

    /// <summary>The chain (<c>chain_id</c>) the command is for; a replica of another chain refuses it.</summary>
    public string ChainId { get; }

    /// <summary>Command-specific arguments (empty for the commands defined so far).</summary>
    public byte[] Body { get; }

    /// <summary>A random number, used once.</summary>
    public ulong Nonce { get; }

    /// <summary>When the operator issued the command, to the millisecond.</summary>
    public DateTimeOffset IssuedAt { get; }

    public Signature Signature { get; }

    /// <summary>Whether the command changes replicas (ordered through consensus) rather than asking them.</summary>
    public bool IsWrite =>
        Type is OperatorCommandType.DbCheckpointCreate or OperatorCommandType.WedgeStop or OperatorCommandType.Unwedge;

    /// <summary>Creates and signs a command with a fresh random nonce.</summary>
    public static OperatorCommand Create(
        OperatorCommandType type,
        string chainId,
        ReadOnlySpan<byte> body,
        DateTimeOffset issuedAt,
        SigningKey operatorKey
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        var nonce = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(issuedAt.ToUnixTimeMilliseconds());
        var unsigned = new OperatorCommand(type, chainId, body.ToArray(), nonce, issued, default);
        return new OperatorCommand(
            type,
            chainId,
            unsigned.Body,
            nonce,
            issued,
            operatorKey.Sign(unsigned.SigningBytes())
        );
    }

    /// <summary>True when the command carries a valid signature of <paramref name="operatorKey"/>.</summary>
    public bool Verify(VerificationKey operatorKey) => operatorKey.Verify(SigningBytes(), Signature);

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(Body.Length + 96);
        WriteSigned(writer);
        writer.WriteFixed(Signature.Bytes);
        return writer.ToArray();
    }

    /// <summary>Decodes a command; the signature is not checked here (see <see
    /// cref="OperatorCommandVerifier"/>).</summary>
    /// <exception cref="CanonicalEncodingException">When the bytes are not an operator command or name an unknown
    /// type.</exception>
    public static OperatorCommand Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadByte() != DomainTag)
        {
            throw new CanonicalEncodingException("not an operator command");
        }

        var type = (OperatorCommandType)reader.ReadByte();
        if (!Enum.IsDefined(type))
        {
            throw new CanonicalEncodingException($"unknown operator command type {(byte)type}");
        }

        var chainId = reader.ReadString();
        var body = reader.ReadBytes().ToArray();
        var nonce = reader.ReadUInt64();
        var issuedAt = reader.ReadInt64();
        var signature = Signature.FromBytes(reader.ReadFixed(Signature.Size));
        reader.EnsureEnd();
        if (issuedAt < 0 || issuedAt > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new CanonicalEncodingException($"issue time {issuedAt} is out of range");
        }

        return new OperatorCommand(
            type,
            chainId,
            body,
            nonce,
            DateTimeOffset.FromUnixTimeMilliseconds(issuedAt),
            signature
        );
    }

    private byte[] SigningBytes()
    {
        var writer = new CanonicalWriter(Body.Length + 32);
        WriteSigned(writer);
        return writer.ToArray();
    }

    private void WriteSigned(CanonicalWriter writer) =>
        writer
            .WriteByte(DomainTag)
            .WriteByte((byte)Type)
            .WriteString(ChainId)
            .WriteBytes(Body)
            .WriteUInt64(Nonce)
            .WriteInt64(IssuedAt.ToUnixTimeMilliseconds());
}
