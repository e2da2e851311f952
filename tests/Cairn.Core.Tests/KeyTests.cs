using AwesomeAssertions;
using Cairn.Core.Crypto;

namespace Cairn.Core.Tests;

public sealed class KeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_signature_verifies_only_with_its_key_and_message()
    {
        using var key = SigningKey.Generate();
        using var other = SigningKey.Generate();
        var signature = key.Sign("request"u8);

        key.PublicKey.Verify("request"u8, signature).Should().BeTrue();
        key.PublicKey.Verify("requesu"u8, signature).Should().BeFalse();
        other.PublicKey.Verify("request"u8, signature).Should().BeFalse();
    }

    [Fact]
    public void Seeded_keys_are_deterministic()
    {
        var seed = new byte[32];
        seed[0] = 42;
        using var a = SigningKey.FromSeed(seed);
        using var b = SigningKey.FromSeed(seed);
        a.PublicKey.Should().Be(b.PublicKey);
        a.Sign("m"u8).Should().Be(b.Sign("m"u8));
    }

    [Fact]
    public void Saved_keys_load_back_and_the_private_file_is_owner_only()
    {
        using var key = SigningKey.Generate();
        var priv = Path.Combine(_dir, "replica_priv.pem");
        var pub = Path.Combine(_dir, "replica_pub.pem");
        KeyFiles.SaveSigningKey(key, priv);
        KeyFiles.SaveVerificationKey(key.PublicKey, pub);

        using var loaded = KeyFiles.LoadSigningKey(priv);
        loaded.PublicKey.Should().Be(key.PublicKey);
        KeyFiles.LoadVerificationKey(pub).Should().Be(key.PublicKey);
        File.ReadAllText(priv).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(priv).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public void Keys_made_by_openssl_load_and_verify_what_openssl_signs()
    {
        var priv = Path.Combine(_dir, "openssl_priv.pem");
        var pub = Path.Combine(_dir, "openssl_pub.pem");
        var message = Path.Combine(_dir, "message");
        var sig = Path.Combine(_dir, "message.sig");
        File.WriteAllText(message, "signed by openssl");
        OpenSslTool.Run("genpkey", "-algorithm", "ed25519", "-out", priv);
        OpenSslTool.Run("pkey", "-in", priv, "-pubout", "-out", pub);
        OpenSslTool.Run("pkeyutl", "-sign", "-rawin", "-inkey", priv, "-in", message, "-out", sig);

        using var key = KeyFiles.LoadSigningKey(priv);
        var publicKey = KeyFiles.LoadVerificationKey(pub);
        publicKey.Should().Be(key.PublicKey);
        publicKey.Verify(File.ReadAllBytes(message), Signature.FromBytes(File.ReadAllBytes(sig))).Should().BeTrue();
        key.Sign(File.ReadAllBytes(message))
            .Bytes.ToArray()
            .Should()
            .Equal(File.ReadAllBytes(sig), "Ed25519 is deterministic");
    }

    [Fact]
    public void Openssl_reads_keys_written_by_cairn_and_verifies_cairn_signatures()
    {
        using var key = SigningKey.Generate();
        var priv = Path.Combine(_dir, "cairn_priv.pem");
        var pub = Path.Combine(_dir, "cairn_pub.pem");
        var message = Path.Combine(_dir, "message");
        var sig = Path.Combine(_dir, "message.sig");
        KeyFiles.SaveSigningKey(key, priv);
        KeyFiles.SaveVerificationKey(key.PublicKey, pub);
        File.WriteAllText(message, "signed by cairn");
        File.WriteAllBytes(sig, key.Sign(File.ReadAllBytes(message)).Bytes.ToArray());

        OpenSslTool.Run("pkey", "-in", priv, "-pubout").Should().Be(File.ReadAllText(pub));
        OpenSslTool
            .Run("pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pub, "-in", message, "-sigfile", sig)
            .Should()
            .Contain("Signature Verified Successfully");
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void A_file_that_is_not_an_ed25519_private_key_names_its_path(string content)
    {
        var path = Path.Combine(_dir, "bad.pem");
        File.WriteAllText(path, content);
        FluentActions
            .Invoking(() => KeyFiles.LoadSigningKey(path))
            .Should()
            .Throw<KeyFileException>()
            .WithMessage($"{path}: not an Ed25519 private key*");
        File.ReadAllText(path).Should().Be(content, "a failed load changes nothing");
    }

    [Fact]
    public void An_rsa_key_is_refused_as_a_private_key_and_a_public_key()
    {
        var rsa = Path.Combine(_dir, "rsa.pem");
        var rsaPub = Path.Combine(_dir, "rsa_pub.pem");
        OpenSslTool.Run("genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa);
        OpenSslTool.Run("pkey", "-in", rsa, "-pubout", "-out", rsaPub);
        FluentActions.Invoking(() => KeyFiles.LoadSigningKey(rsa)).Should().Throw<KeyFileException>();
        FluentActions.Invoking(() => KeyFiles.LoadVerificationKey(rsaPub)).Should().Throw<KeyFileException>();
    }

    [Fact]
    public void A_missing_key_file_names_its_path()
    {
        var path = Path.Combine(_dir, "absent.pem");
        FluentActions
            .Invoking(() => KeyFiles.LoadVerificationKey(path))
            .Should()
            .Throw<KeyFileException>()
            .Which.Path.Should()
            .Be(path);
    }
}
