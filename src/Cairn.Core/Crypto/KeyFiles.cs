using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace Cairn.Core.Crypto;

/// <summary>Reads and writes Ed25519 keys as PEM files, the format of
/// <c>openssl genpkey -algorithm ed25519</c> (private) and <c>openssl pkey -pubout</c> (public).</summary>
public static class KeyFiles
{
    /// <summary>The PEM label of an encrypted PKCS#8 private key (<c>openssl pkcs8 -topk8 -v2
    /// aes-256-cbc</c>).</summary>
    public const string EncryptedPrivateKeyLabel = "ENCRYPTED PRIVATE KEY";

    /// <summary>Loads a private key, in plain PEM or encrypted PKCS#8 PEM; <paramref name="passphrase"/> decrypts the
    /// latter and is not needed for the former.</summary>
    /// <exception cref="KeyFileException">When the file is missing, unreadable or not an Ed25519 private key, or it is
    /// encrypted and the passphrase is missing or wrong.</exception>
    public static SigningKey LoadSigningKey(string path, KeyPassphrase? passphrase = null)
    {
        var text = ReadText(path);
        if (
            PemEncoding.TryFind(text, out var fields)
            && text.AsSpan()[fields.Label].SequenceEqual(EncryptedPrivateKeyLabel)
        )
        {
            return DecryptSigningKey(path, text, fields, passphrase);
        }

        if (!SigningKey.TryFromPem(text, out var key) || key is null)
        {
            throw new KeyFileException(
                path,
                "not an Ed25519 private key in PEM (expected a 'BEGIN PRIVATE KEY' block as written by 'openssl "
                    + "genpkey -algorithm ed25519', or a 'BEGIN ENCRYPTED PRIVATE KEY' block as written by 'openssl "
                    + "pkcs8 "
                    + "-topk8 -v2 aes-256-cbc')"
            );
        }

        return key;
    }

    /// <summary>PBES2 decryption is the framework's (<c>Pkcs8PrivateKeyInfo.DecryptAndDecode</c>); the plain
    /// PKCS#8 it yields goes through the same import as an unencrypted key file.</summary>
    private static SigningKey DecryptSigningKey(string path, string text, PemFields fields, KeyPassphrase? passphrase)
    {
        if (passphrase is null)
        {
            throw new KeyFileException(
                path,
                $"the private key is encrypted and no passphrase was given (use --passphrase-file FILE, set "
                    + $"{KeyPassphrase.EnvironmentVariable}, or for a replica set key_passphrase_file in "
                    + $"deployment.config)"
            );
        }

        byte[]? plain = null;
        try
        {
            var encrypted = Convert.FromBase64String(text[fields.Base64Data]);
            plain = Pkcs8PrivateKeyInfo.DecryptAndDecode(passphrase.Value, encrypted, out _).Encode();
            var pem = PemEncoding.WriteString("PRIVATE KEY", plain);
            return SigningKey.TryFromPem(pem, out var key) && key is not null
                ? key
                : throw new KeyFileException(path, "the encrypted private key is not an Ed25519 key");
        }
        catch (Exception e)
            when (e is CryptographicException or FormatException or System.Formats.Asn1.AsnContentException)
        {
            // A wrong passphrase shows as bad padding or, rarely, as padding that happens to fit around garbage.
            throw new KeyFileException(
                path,
                $"cannot decrypt the private key with the passphrase from {passphrase.Source} (wrong passphrase?)"
            );
        }
        finally
        {
            if (plain is not null)
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
    }

    /// <summary>Loads a public key.</summary>
    /// <exception cref="KeyFileException">When the file is missing, unreadable or not an Ed25519 public
    /// key.</exception>
    public static VerificationKey LoadVerificationKey(string path)
    {
        var text = ReadText(path);
        if (!VerificationKey.TryFromPem(text, out var key) || key is null)
        {
            throw new KeyFileException(
                path,
                "not an Ed25519 public key in PEM (expected a 'BEGIN PUBLIC KEY' block as written by 'openssl pkey "
                    + "-pubout')"
            );
        }

        return key;
    }

    /// <summary>Writes a private key readable by its owner only (mode 0600 on Unix), atomically.</summary>
    public static void SaveSigningKey(SigningKey key, string path) =>
        WriteAtomically(path, key.ToPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);

    /// <summary>Writes a public key (mode 0644 on Unix), atomically.</summary>
    public static void SaveVerificationKey(VerificationKey key, string path) =>
        WriteAtomically(
            path,
            key.ToPem(),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
        );

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot read the key file ({e.Message})");
        }
    }

    internal static void WriteAtomically(string path, string content, UnixFileMode mode)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
