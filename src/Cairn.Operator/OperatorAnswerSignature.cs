using System.Text;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Operator;

/// <summary>
/// A replica's signature over its JSON answer to an operator query, with its own key: it names the chain, the replica
/// and the query's nonce, so an answer can be checked end to end (not only through the TLS connection it came on),
/// and one captured from another query, replica or chain cannot be passed off as this one.
/// </summary>
public static class OperatorAnswerSignature
{
    private const byte DomainTag = 0x63;

    /// <summary>Signs <paramref name="json"/>, replica <paramref name="replica"/>'s answer on chain <paramref
    /// name="chainId"/> to the query with nonce <paramref name="queryNonce"/>.</summary>
    public static Signature Sign(string chainId, ReplicaId replica, ulong queryNonce, string json, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(SigningBytes(chainId, replica, queryNonce, json));
    }

    /// <summary>True when <paramref name="signature"/> is <paramref name="key"/>'s over that answer.</summary>
    public static bool Verify(
        string chainId,
        ReplicaId replica,
        ulong queryNonce,
        string json,
        Signature signature,
        VerificationKey key
    )
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Verify(SigningBytes(chainId, replica, queryNonce, json), signature);
    }

    private static byte[] SigningBytes(string chainId, ReplicaId replica, ulong queryNonce, string json) =>
        new CanonicalWriter(json.Length + 64)
            .WriteByte(DomainTag)
            .WriteString(chainId)
            .WriteInt32(replica.Value)
            .WriteUInt64(queryNonce)
            .WriteBytes(Encoding.UTF8.GetBytes(json))
            .ToArray();
}
