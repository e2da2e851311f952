using Cairn.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Protocol.Configuration;

/// <summary>What every Cairn config file shares: one YAML mapping, read with file and line in every error, and the
/// <c>replicas</c> list that names each replica's endpoint, public key and TLS certificate.</summary>
public static class ConfigFile
{
    private static readonly string[] ReplicaKeys = ["id", "host", "port", "public_key", "tls_certificate"];

    /// <summary><c>f_val</c>, required in every config file: faulty replicas tolerated; n = 3f + 1.</summary>
    public static readonly Setting<int> FaultsTolerated = new(1, 1, 50);

    /// <summary>Reads the required <c>f_val</c> key.</summary>
    public static int ReadF(YamlMappingReader root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return root.Int("f_val", FaultsTolerated.Min, FaultsTolerated.Max);
    }

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">When the file is unreadable or not one YAML mapping.</exception>
    public static YamlMappingReader Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path), Path.GetFullPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, $"cannot read the config file ({e.Message})");
        }
    }

    /// <summary>Parses config text that came from <paramref name="file"/>.</summary>
    /// <exception cref="ConfigException">When the text is not one YAML mapping.</exception>
    public static YamlMappingReader Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException(file, null, (int)e.Start.Line, $"not valid YAML ({e.Message})");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, with no position, on some unterminated flow collections ("{ a: 1"
            // followed by another line).
            throw new ConfigException(
                file,
                null,
                null,
                "not valid YAML (the parser stopped: check that every '{' and '[' is closed on its line)"
            );
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping
            ? new YamlMappingReader(mapping, file)
            : throw new ConfigException(file, null, null, "expected one YAML mapping of 'key: value' lines");
    }

    /// <summary>Reads the <c>replicas</c> list: exactly <paramref name="n"/> entries, each id once, in id
    /// order.</summary>
    /// <param name="root">The file's mapping.</param>
    /// <param name="n">The number of replicas, 3f + 1.</param>
    /// <param name="resolve">Turns a path in the file into an absolute path.</param>
    /// <exception cref="ConfigException">When the list is missing, has the wrong length, or an entry is
    /// wrong.</exception>
    public static IReadOnlyList<PeerEndpoint> ReadReplicas(YamlMappingReader root, int n, Func<string, string> resolve)
    {
        var items = root.Sequence("replicas", required: true);
        if (items.Count != n)
        {
            throw root.Error("replicas", $"lists {items.Count} replicas but f_val requires n = 3f + 1 = {n}");
        }

        var replicas = new PeerEndpoint?[n];
        for (var i = 0; i < items.Count; i++)
        {
            var item = root.Item("replicas", items[i], i);
            var id = item.Int("id", 0, n - 1);
            if (replicas[id] is not null)
            {
                throw item.Error("id", $"replica id {id} is listed twice");
            }

            replicas[id] = new PeerEndpoint(
                new ReplicaId(id),
                item.String("host"),
                item.Int("port", 1, 65535),
                resolve(item.String("public_key")),
                resolve(item.String("tls_certificate"))
            );
            item.RejectUnknownKeys(ReplicaKeys);
        }

        return [.. replicas.Select(r => r!)];
    }
}
