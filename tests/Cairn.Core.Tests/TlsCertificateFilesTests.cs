using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AwesomeAssertions;
using Cairn.Core.Crypto;

namespace Cairn.Core.Tests;

/// <summary>A replica's TLS certificate and key as <c>cluster init</c> writes them, and the ways loading them
/// fails.</summary>
public sealed class TlsCertificateFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-tls-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Certificate => Path.Combine(_dir, "replica-2_tls.crt");

    private string Key => Path.Combine(_dir, "replica_tls_key.pem");

    [Fact]
    public void A_replica_certificate_is_a_P256_self_signed_leaf_for_its_host_and_its_key_loads_with_it()
    {
        TlsCertificateFiles.CreateReplicaCertificate(2, "replica-c.example", Certificate, Key);

        using var identity = TlsCertificateFiles.LoadIdentity(Certificate, Key, passphrase: null);
        identity.HasPrivateKey.Should().BeTrue();
        identity.Subject.Should().Be("CN=cairn replica 2");
        identity.Issuer.Should().Be(identity.Subject);
        identity.MatchesHostname("replica-c.example").Should().BeTrue();
        identity.GetECDsaPublicKey()!.KeySize.Should().Be(256);
        identity.NotAfter.Should().BeAfter(DateTime.UtcNow.AddYears(TlsCertificateFiles.ValidityYears - 1));
        using var loaded = TlsCertificateFiles.LoadCertificate(Certificate);
        TlsCertificateFiles.Fingerprint(loaded).Should().Equal(SHA256.HashData(loaded.RawData));
    }

    [Fact]
    public void An_encrypted_key_needs_its_passphrase()
    {
        TlsCertificateFiles.CreateReplicaCertificate(0, "127.0.0.1", Certificate, Key);
        using (var key = ECDsa.Create())
        {
            key.ImportFromPem(File.ReadAllText(Key));
            File.WriteAllText(
                Key,
                key.ExportEncryptedPkcs8PrivateKeyPem(
                    "tls passphrase",
                    new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)
                )
            );
        }

        var passphraseFile = Path.Combine(_dir, "passphrase");
        File.WriteAllText(passphraseFile, "tls passphrase\n");
        using var identity = TlsCertificateFiles.LoadIdentity(
            Certificate,
            Key,
            KeyPassphrase.FromFile(passphraseFile)
        );
        identity.HasPrivateKey.Should().BeTrue();
        FluentActions
            .Invoking(() => TlsCertificateFiles.LoadIdentity(Certificate, Key, passphrase: null))
            .Should()
            .Throw<KeyFileException>()
            .WithMessage($"{Key}: the TLS private key is encrypted and no passphrase was given*");
    }

    [Fact]
    public void Another_certificates_key_or_a_file_that_is_no_certificate_is_named()
    {
        var otherKey = Path.Combine(_dir, "other_key.pem");
        TlsCertificateFiles.CreateReplicaCertificate(0, "127.0.0.1", Certificate, Key);
        TlsCertificateFiles.CreateReplicaCertificate(1, "127.0.0.1", Path.Combine(_dir, "other.crt"), otherKey);

        FluentActions
            .Invoking(() => TlsCertificateFiles.LoadIdentity(Certificate, otherKey, passphrase: null))
            .Should()
            .Throw<KeyFileException>()
            .WithMessage($"{otherKey}: this TLS private key does not belong to the certificate {Certificate}");
        FluentActions
            .Invoking(() => TlsCertificateFiles.LoadCertificate(Key))
            .Should()
            .Throw<KeyFileException>()
            .WithMessage($"{Key}: not a TLS certificate in PEM*");
    }
}
