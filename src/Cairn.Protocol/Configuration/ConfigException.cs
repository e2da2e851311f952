namespace Cairn.Protocol.Configuration;

/// <summary>A configuration that cannot be used; the message names the file, the key (and line) and what is
/// accepted.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, string? key, int? line, string problem)
        : base(Format(file, key, line, problem))
    {
        File = file;
        Key = key;
    }

    /// <summary>The configuration file.</summary>
    public string File { get; }

    /// <summary>The offending key, when one is to blame.</summary>
    public string? Key { get; }

    private static string Format(string file, string? key, int? line, string problem) =>
        (key, line) switch
        {
            (null, null) => $"{file}: {problem}",
            (null, _) => $"{file}:{line}: {problem}",
            (_, null) => $"{file}: {key}: {problem}",
            _ => $"{file}:{line}: {key}: {problem}",
        };
}
