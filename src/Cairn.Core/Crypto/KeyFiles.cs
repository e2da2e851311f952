namespace Cairn.Core.Crypto;

/// <summary>Reads and writes Ed25519 keys as PEM files, the format of
/// <c>openssl genpkey -algorithm ed25519</c> (private) and <c>openssl pkey -pubout</c> (public).</summary>
public static class KeyFiles
{
    /// <summary>Loads a private key.</summary>
    /// <exception cref="KeyFileException">When the file is missing, unreadable or not an Ed25519 private key.</exception>
    public static SigningKey LoadSigningKey(string path)
    {
        var text = ReadText(path);
        if (!SigningKey.TryFromPem(text, out var key) || key is null)
        {
            throw new KeyFileException(path, "not an Ed25519 private key in PEM (expected a 'BEGIN PRIVATE KEY' block as written by 'openssl genpkey -algorithm ed25519')");
        }

        return key;
    }

    /// <summary>Loads a public key.</summary>
    /// <exception cref="KeyFileException">When the file is missing, unreadable or not an Ed25519 public key.</exception>
    public static VerificationKey LoadVerificationKey(string path)
    {
        var text = ReadText(path);
        if (!VerificationKey.TryFromPem(text, out var key) || key is null)
        {
            throw new KeyFileException(path, "not an Ed25519 public key in PEM (expected a 'BEGIN PUBLIC KEY' block as written by 'openssl pkey -pubout')");
        }

        return key;
    }

    /// <summary>Writes a private key readable by its owner only (mode 0600 on Unix), atomically.</summary>
    public static void SaveSigningKey(SigningKey key, string path) =>
        WriteAtomically(path, key.ToPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);

    /// <summary>Writes a public key (mode 0644 on Unix), atomically.</summary>
    public static void SaveVerificationKey(VerificationKey key, string path) =>
        WriteAtomically(path, key.ToPem(),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

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

    private static void WriteAtomically(string path, string content, UnixFileMode mode)
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
