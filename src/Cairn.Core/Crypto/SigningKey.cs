using NSec.Cryptography;

namespace Cairn.Core.Crypto;

/// <summary>An Ed25519 private key: signs. Holds native memory, so dispose it.</summary>
public sealed class SigningKey : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private SigningKey(Key key)
    {
        _key = key;
        PublicKey = new VerificationKey(key.PublicKey);
    }

    /// <summary>The matching public key.</summary>
    public VerificationKey PublicKey { get; }

    /// <summary>A new random key (from the OS CSPRNG through libsodium).</summary>
    public static SigningKey Generate() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Derives a key from a 32-byte seed: deterministic keys for the simulator and tests.</summary>
    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException($"an Ed25519 seed is 32 bytes, got {seed.Length}", nameof(seed));
        }

        return new SigningKey(
            Key.Import(
                Algorithm,
                seed,
                KeyBlobFormat.RawPrivateKey,
                new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }
            )
        );
    }

    /// <summary>Parses a PEM "PRIVATE KEY" block (PKCS#8), as written by <c>openssl genpkey -algorithm
    /// ed25519</c>.</summary>
    /// <returns>False when the text is not an Ed25519 private key in PEM.</returns>
    public static bool TryFromPem(string pem, out SigningKey? key)
    {
        key = null;
        var bytes = System.Text.Encoding.ASCII.GetBytes(pem.Trim() + "\n");
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        if (
            !Key.TryImport(Algorithm, bytes, KeyBlobFormat.PkixPrivateKeyText, out var imported, parameters)
            || imported is null
        )
        {
            return false;
        }

        key = new SigningKey(imported);
        return true;
    }

    /// <summary>The key as a PEM "PRIVATE KEY" block with Unix line ends, byte for byte what openssl writes.</summary>
    public string ToPem() =>
        System.Text.Encoding.ASCII.GetString(_key.Export(KeyBlobFormat.PkixPrivateKeyText)).ReplaceLineEndings("\n");

    public Signature Sign(ReadOnlySpan<byte> data)
    {
        Span<byte> signature = stackalloc byte[Signature.Size];
        Algorithm.Sign(_key, data, signature);
        return Signature.FromBytes(signature);
    }

    public void Dispose() => _key.Dispose();
}
