using NSec.Cryptography;

namespace Cairn.Core.Crypto;

/// <summary>An Ed25519 public key: verifies signatures. Equal keys compare equal.</summary>
public sealed class VerificationKey : IEquatable<VerificationKey>
{
    /// <summary>Size of a raw Ed25519 public key in bytes.</summary>
    public const int Size = 32;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly PublicKey _key;
    private readonly byte[] _raw;

    internal VerificationKey(PublicKey key)
    {
        _key = key;
        _raw = key.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32 raw key bytes, as carried in configuration and certificates.</summary>
    public ReadOnlySpan<byte> RawBytes => _raw;

    /// <summary>Imports 32 raw Ed25519 public key bytes.</summary>
    /// <exception cref="ArgumentException">When the bytes are not a valid Ed25519 public key.</exception>
    public static VerificationKey FromRawBytes(ReadOnlySpan<byte> raw)
    {
        if (
            raw.Length != Size
            || !PublicKey.TryImport(Algorithm, raw, KeyBlobFormat.RawPublicKey, out var key)
            || key is null
        )
        {
            throw new ArgumentException($"not a {Size}-byte Ed25519 public key", nameof(raw));
        }

        return new VerificationKey(key);
    }

    /// <summary>Parses a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo), as written by <c>openssl pkey
    /// -pubout</c>.</summary>
    /// <returns>False when the text is not an Ed25519 public key in PEM.</returns>
    public static bool TryFromPem(string pem, out VerificationKey? key)
    {
        key = null;
        var bytes = System.Text.Encoding.ASCII.GetBytes(pem.Trim() + "\n");
        if (
            !PublicKey.TryImport(Algorithm, bytes, KeyBlobFormat.PkixPublicKeyText, out var imported)
            || imported is null
        )
        {
            return false;
        }

        key = new VerificationKey(imported);
        return true;
    }

    /// <summary>The key as a PEM "PUBLIC KEY" block with Unix line ends, byte for byte what openssl writes.</summary>
    public string ToPem() =>
        System.Text.Encoding.ASCII.GetString(_key.Export(KeyBlobFormat.PkixPublicKeyText)).ReplaceLineEndings("\n");

    /// <summary>True when <paramref name="signature"/> is this key's signature over <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, Signature signature) => Algorithm.Verify(_key, data, signature.Bytes);

    /// <summary>A short fingerprint for logs: the first 8 bytes of the key's SHA-256, in hex.</summary>
    public string Fingerprint => Digest.Compute(_raw).ToHex()[..16];

    public bool Equals(VerificationKey? other) => other is not null && _raw.AsSpan().SequenceEqual(other._raw);

    public override bool Equals(object? obj) => Equals(obj as VerificationKey);

    public override int GetHashCode() => BitConverter.ToInt32(_raw, 0);

    public override string ToString() => Fingerprint;
}
