namespace Cairn.Core.Crypto;

/// <summary>
/// The passphrase of an encrypted private key (PKCS#8 "ENCRYPTED PRIVATE KEY"), and where it came from so that a
/// failure can say which passphrase was wrong. A passphrase file holds the passphrase on its first line, as openssl's
/// <c>-passin file:FILE</c> reads it.
/// </summary>
public sealed class KeyPassphrase
{
    /// <summary>The environment variable read when no passphrase file is named.</summary>
    public const string EnvironmentVariable = "CAIRN_KEY_PASSPHRASE";

    private KeyPassphrase(string value, string source)
    {
        Value = value;
        Source = source;
    }

    /// <summary>Where the passphrase came from, for messages: a file path or the environment variable's name.</summary>
    public string Source { get; }

    internal string Value { get; }

    /// <summary>The first line of <paramref name="path"/>.</summary>
    /// <exception cref="KeyFileException">When the file is missing, unreadable or its first line is empty.</exception>
    public static KeyPassphrase FromFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot read the passphrase file ({e.Message})");
        }

        var firstLine = text.Split('\n', 2)[0].TrimEnd('\r');
        return firstLine.Length == 0
            ? throw new KeyFileException(
                path,
                "the passphrase file's first line is empty (it must hold the passphrase)"
            )
            : new KeyPassphrase(firstLine, $"passphrase file {path}");
    }

    /// <summary>The value of <see cref="EnvironmentVariable"/>, or null when it is unset or empty.</summary>
    public static KeyPassphrase? FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? new KeyPassphrase(value, EnvironmentVariable)
            : null;

    /// <summary>The passphrase file <paramref name="passphraseFile"/> when one is named, else the environment variable
    /// (null when neither gives one).</summary>
    /// <exception cref="KeyFileException">When the named passphrase file cannot be read or is empty.</exception>
    public static KeyPassphrase? FromFileOrEnvironment(string? passphraseFile) =>
        passphraseFile is null ? FromEnvironment() : FromFile(passphraseFile);
}
