using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;

namespace Cairn.Protocol.Transport;

/// <summary>
/// Which TLS certificate belongs to which replica: the SHA-256 of each certificate the config's <c>replicas</c> list
/// names (<c>tls_certificate</c>), by replica id. A certificate is a replica's exactly when its fingerprint is pinned;
/// no CA, chain, name or date is consulted, so only a holder of a replica's private key can speak as that replica.
/// </summary>
public sealed class ReplicaCertificatePins
{
    private readonly byte[][] _fingerprints;

    /// <summary>Pins the given fingerprints, in replica id order.</summary>
    public ReplicaCertificatePins(IReadOnlyList<byte[]> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        _fingerprints = [.. fingerprints];
    }

    /// <summary>Reads the certificate of every replica in <paramref name="replicas"/>.</summary>
    /// <exception cref="KeyFileException">When a certificate file is missing, unreadable or not a PEM certificate,
    /// or two replicas list the same certificate.</exception>
    public static ReplicaCertificatePins Load(IReadOnlyList<PeerEndpoint> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var fingerprints = new List<byte[]>();
        foreach (var replica in replicas)
        {
            using var certificate = TlsCertificateFiles.LoadCertificate(replica.TlsCertificatePath);
            var fingerprint = TlsCertificateFiles.Fingerprint(certificate);
            if (fingerprints.FindIndex(f => f.AsSpan().SequenceEqual(fingerprint)) is var other and >= 0)
            {
                throw new KeyFileException(
                    replica.TlsCertificatePath,
                    $"replica {replica.Id.Value} lists the same TLS certificate as replica {other}: each replica "
                        + "needs its own"
                );
            }

            fingerprints.Add(fingerprint);
        }

        return new ReplicaCertificatePins(fingerprints);
    }

    /// <summary>How many replicas are pinned.</summary>
    public int Count => _fingerprints.Length;

    /// <summary>The replica whose pinned certificate <paramref name="certificate"/> is, or null for none (or no
    /// certificate).</summary>
    public ReplicaId? ReplicaOf(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return null;
        }

        var fingerprint = TlsCertificateFiles.Fingerprint(certificate);
        for (var id = 0; id < _fingerprints.Length; id++)
        {
            if (CryptographicOperations.FixedTimeEquals(_fingerprints[id], fingerprint))
            {
                return new ReplicaId(id);
            }
        }

        return null;
    }

    /// <summary>The SHA-256 fingerprint pinned for <paramref name="replica"/>.</summary>
    public byte[] Fingerprint(ReplicaId replica) => _fingerprints[replica.Value];
}
