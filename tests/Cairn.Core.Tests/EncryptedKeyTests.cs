using AwesomeAssertions;
using Cairn.Core.Crypto;

namespace Cairn.Core.Tests;

/// <summary>Encrypted PKCS#8 private keys as openssl writes them, made at test time by the real openssl.</summary>
public sealed class EncryptedKeyTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple";
    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-encrypted-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("aes-256-cbc")]
    [InlineData("aes-128-cbc")]
    public void A_key_encrypted_by_openssl_loads_with_its_passphrase_and_signs_what_its_public_key_verifies(
        string cipher
    )
    {
        var (encrypted, publicKeyPath) = MakeEncryptedKey(cipher);
        File.ReadAllText(encrypted).Should().StartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

        using var key = KeyFiles.LoadSigningKey(
            encrypted,
            KeyPassphrase.FromFile(WritePassphraseFile(Passphrase + "\n"))
        );

        var publicKey = KeyFiles.LoadVerificationKey(publicKeyPath);
        key.PublicKey.Should().Be(publicKey);
        publicKey.Verify("operator command"u8, key.Sign("operator command"u8)).Should().BeTrue();
    }

    [Fact]
    public void The_passphrase_may_come_from_the_environment()
    {
        var (encrypted, publicKeyPath) = MakeEncryptedKey("aes-256-cbc");
        KeyPassphrase? passphrase;
        Environment.SetEnvironmentVariable(KeyPassphrase.EnvironmentVariable, Passphrase);
        try
        {
            passphrase = KeyPassphrase.FromFileOrEnvironment(null);
        }
        finally
        {
            Environment.SetEnvironmentVariable(KeyPassphrase.EnvironmentVariable, null);
        }

        passphrase.Should().NotBeNull();
        passphrase!.Source.Should().Be(KeyPassphrase.EnvironmentVariable);
        using var key = KeyFiles.LoadSigningKey(encrypted, passphrase);
        key.PublicKey.Should().Be(KeyFiles.LoadVerificationKey(publicKeyPath));
        KeyPassphrase.FromFileOrEnvironment(null).Should().BeNull("the variable is unset again");
    }

    [Fact]
    public void A_wrong_passphrase_is_one_line_naming_the_key_file_and_the_passphrase_source()
    {
        var (encrypted, _) = MakeEncryptedKey("aes-256-cbc");
        var passphraseFile = WritePassphraseFile("not the passphrase\n");

        var error = FluentActions
            .Invoking(() => KeyFiles.LoadSigningKey(encrypted, KeyPassphrase.FromFile(passphraseFile)))
            .Should()
            .Throw<KeyFileException>()
            .Which;

        error.Path.Should().Be(encrypted);
        error
            .Message.Should()
            .Be(
                $"{encrypted}: cannot decrypt the private key with the passphrase from passphrase file "
                    + $"{passphraseFile} (wrong passphrase?)"
            );
    }

    [Fact]
    public void A_missing_passphrase_is_one_line_naming_the_key_file_and_where_a_passphrase_can_come_from()
    {
        var (encrypted, _) = MakeEncryptedKey("aes-256-cbc");

        var error = FluentActions
            .Invoking(() => KeyFiles.LoadSigningKey(encrypted))
            .Should()
            .Throw<KeyFileException>()
            .Which;

        error
            .Message.Should()
            .StartWith($"{encrypted}: the private key is encrypted and no passphrase was given")
            .And.Contain("--passphrase-file")
            .And.Contain(KeyPassphrase.EnvironmentVariable)
            .And.Contain("key_passphrase_file")
            .And.NotContain("\n");
    }

    [Fact]
    public void A_plain_key_loads_whatever_passphrase_is_given()
    {
        var plain = Path.Combine(_dir, "plain.pem");
        OpenSslTool.Run("genpkey", "-algorithm", "ed25519", "-out", plain);

        using var key = KeyFiles.LoadSigningKey(plain, KeyPassphrase.FromFile(WritePassphraseFile("unused")));

        key.PublicKey.Verify("m"u8, key.Sign("m"u8)).Should().BeTrue();
    }

    [Fact]
    public void A_passphrase_file_gives_its_first_line_and_an_empty_or_missing_one_is_refused_by_path()
    {
        var (encrypted, _) = MakeEncryptedKey("aes-256-cbc");
        using (
            KeyFiles.LoadSigningKey(
                encrypted,
                KeyPassphrase.FromFile(WritePassphraseFile(Passphrase + "\r\nsecond line\n"))
            )
        ) { }

        var empty = WritePassphraseFile("\nsecond line\n");
        FluentActions
            .Invoking(() => KeyPassphrase.FromFile(empty))
            .Should()
            .Throw<KeyFileException>()
            .WithMessage($"{empty}: the passphrase file's first line is empty*");
        var missing = Path.Combine(_dir, "absent");
        FluentActions
            .Invoking(() => KeyPassphrase.FromFileOrEnvironment(missing))
            .Should()
            .Throw<KeyFileException>()
            .Which.Path.Should()
            .Be(missing);
    }

    private (string Encrypted, string PublicKey) MakeEncryptedKey(string cipher)
    {
        Assert.SkipUnless(
            OpenSslTool.IsAvailable,
            "openssl is not installed: the encrypted keys under test are made by it"
        );
        var plain = Path.Combine(_dir, $"{cipher}_plain.pem");
        var encrypted = Path.Combine(_dir, $"{cipher}_encrypted.pem");
        var publicKey = Path.Combine(_dir, $"{cipher}_pub.pem");
        OpenSslTool.Run("genpkey", "-algorithm", "ed25519", "-out", plain);
        OpenSslTool.Run("pkey", "-in", plain, "-pubout", "-out", publicKey);
        OpenSslTool.Run(
            "pkcs8",
            "-topk8",
            "-v2",
            cipher,
            "-in",
            plain,
            "-out",
            encrypted,
            "-passout",
            $"pass:{Passphrase}"
        );
        return (encrypted, publicKey);
    }

    private string WritePassphraseFile(string content)
    {
        var path = Path.Combine(_dir, $"passphrase-{Guid.NewGuid():N}");
        File.WriteAllText(path, content);
        return path;
    }
}
