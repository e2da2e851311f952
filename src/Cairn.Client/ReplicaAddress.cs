using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;

namespace Cairn.Client;

/// <summary>Where a client's session connection to one replica goes: the replica's id, its replica port, the SHA-256
/// fingerprint of the certificate pinned for it, and the largest answer accepted from it.</summary>
internal sealed record ReplicaAddress(int ReplicaId, string Host, int Port, byte[] Fingerprint, int MaxReplyBytes)
{
    /// <summary>The address of <paramref name="replica"/>'s config entry.</summary>
    /// <exception cref="KeyFileException">When its TLS certificate cannot be read.</exception>
    public static ReplicaAddress Of(PeerEndpoint replica, int maxReplyBytes)
    {
        using var certificate = TlsCertificateFiles.LoadCertificate(replica.TlsCertificatePath);
        return new(
            replica.Id.Value,
            replica.Host,
            replica.Port,
            TlsCertificateFiles.Fingerprint(certificate),
            maxReplyBytes
        );
    }
}
