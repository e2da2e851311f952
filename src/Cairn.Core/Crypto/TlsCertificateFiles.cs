using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Core.Crypto;

/// <summary>
/// A replica's TLS identity as PEM files: a self-signed ECDSA P-256 certificate (public, listed in every config and
/// pinned to the replica's id) and its private key (mode 0600, next to the replica's Ed25519 key). Peers and clients
/// trust exactly the pinned certificate, never a CA (docs/architecture.md, "Transport").
/// </summary>
public static class TlsCertificateFiles
{
    /// <summary>How long a certificate <see cref="CreateReplicaCertificate"/> makes is valid. The pin, not the dates,
    /// is what peers check, so this only keeps tools that do look at dates quiet.</summary>
    public const int ValidityYears = 100;

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Creates replica <paramref name="replicaId"/>'s certificate for <paramref name="host"/> (its subject
    /// alternative name: an IP address or a DNS name) and writes it to <paramref name="certificatePath"/> (mode 0644)
    /// and its private key to <paramref name="privateKeyPath"/> (mode 0600).</summary>
    public static void CreateReplicaCertificate(
        int replicaId,
        string host,
        string certificatePath,
        string privateKeyPath
    )
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            $"CN=cairn replica {replicaId.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            key,
            HashAlgorithmName.SHA256
        );
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // One certificate serves both ends: the replica's listener and its calls to peers.
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false)
        );
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(ValidityYears));
        KeyFiles.WriteAtomically(
            certificatePath,
            certificate.ExportCertificatePem() + "\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
        );
        KeyFiles.WriteAtomically(
            privateKeyPath,
            key.ExportPkcs8PrivateKeyPem() + "\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite
        );
    }

    /// <summary>Loads a certificate (PEM) that a config pins.</summary>
    /// <exception cref="KeyFileException">When the file is missing, unreadable or not a PEM certificate.</exception>
    public static X509Certificate2 LoadCertificate(string path)
    {
        var text = ReadText(path, "certificate");
        try
        {
            return X509Certificate2.CreateFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new KeyFileException(
                path,
                $"not a TLS certificate in PEM (expected a 'BEGIN CERTIFICATE' block; {e.Message})"
            );
        }
    }

    /// <summary>Loads a replica's own certificate together with its private key, as the replica presents it to peers
    /// and clients. <paramref name="passphrase"/> decrypts an encrypted PKCS#8 key.</summary>
    /// <exception cref="KeyFileException">When either file is missing or unreadable, the key is not an ECDSA key in
    /// PEM or cannot be decrypted, or it is not the certificate's key.</exception>
    public static X509Certificate2 LoadIdentity(
        string certificatePath,
        string privateKeyPath,
        KeyPassphrase? passphrase
    )
    {
        using var certificate = LoadCertificate(certificatePath);
        var keyText = ReadText(privateKeyPath, "private key");
        using var key = ECDsa.Create();
        try
        {
            if (keyText.Contains($"BEGIN {KeyFiles.EncryptedPrivateKeyLabel}", StringComparison.Ordinal))
            {
                if (passphrase is null)
                {
                    throw new KeyFileException(
                        privateKeyPath,
                        "the TLS private key is encrypted and no passphrase was given (set key_passphrase_file in "
                            + $"deployment.config or {KeyPassphrase.EnvironmentVariable})"
                    );
                }

                key.ImportFromEncryptedPem(keyText, passphrase.Value);
            }
            else
            {
                key.ImportFromPem(keyText);
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new KeyFileException(
                privateKeyPath,
                $"not an ECDSA private key in PEM, or not decryptable with the given passphrase ({e.Message})"
            );
        }

        try
        {
            return certificate.CopyWithPrivateKey(key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new KeyFileException(
                privateKeyPath,
                $"this TLS private key does not belong to the certificate {certificatePath}"
            );
        }
    }

    /// <summary>SHA-256 of the certificate's DER encoding: what a config pins to a replica id.</summary>
    public static byte[] Fingerprint(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return SHA256.HashData(certificate.GetRawCertData());
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot read the TLS {what} file ({e.Message})");
        }
    }
}
