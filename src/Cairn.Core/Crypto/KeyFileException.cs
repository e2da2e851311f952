namespace Cairn.Core.Crypto;

/// <summary>A key file that is missing, unreadable or not an Ed25519 key in PEM; the message names the path.</summary>
public sealed class KeyFileException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;
}
