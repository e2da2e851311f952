using System.Globalization;
using System.Text.Json;
using Cairn.Backup;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>The deployment-wide <c>infrastructure_descriptor.json</c> given to <c>cairn cluster init</c>; Concord
/// writes its numbers as strings (<c>"NUM_DB_SNAPSHOTS": "2"</c>), so both strings and numbers are accepted. Its
/// format is in docs/configuration.md.</summary>
/// <param name="NumDbSnapshots"><c>NUM_DB_SNAPSHOTS</c>: num_of_rocksdbcheckpoints on every replica.</param>
/// <param name="Replicas"><c>replicas</c>: each replica's <c>providedIp</c> (and optional <c>port</c>), in id order;
/// null when the descriptor names no addresses (a single-host cluster).</param>
public sealed record InfrastructureDescriptor(int? NumDbSnapshots, IReadOnlyList<ReplicaAddress>? Replicas = null)
{
    /// <summary>Reads the descriptor; unknown keys are ignored (the file carries much that the replicas do not
    /// use).</summary>
    /// <exception cref="ConfigException">When the file is unreadable, not JSON, or NUM_DB_SNAPSHOTS is not an integer
    /// in num_of_rocksdbcheckpoints' range.</exception>
    public static InfrastructureDescriptor Load(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, $"cannot read the descriptor ({e.Message})");
        }
        catch (JsonException e)
        {
            throw new ConfigException(path, null, (int?)(e.LineNumber + 1), $"not valid JSON ({e.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(path, null, null, "expected a JSON object");
            }

            return new InfrastructureDescriptor(
                ReadSnapshots(document.RootElement, path),
                ReadReplicas(document.RootElement, path)
            );
        }
    }

    private static List<ReplicaAddress>? ReadReplicas(JsonElement root, string path)
    {
        const string key = "replicas";
        if (!root.TryGetProperty(key, out var list))
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new ConfigException(path, key, null, "expected a non-empty array of { \"providedIp\": ... }");
        }

        var replicas = new List<ReplicaAddress>();
        foreach (var item in list.EnumerateArray())
        {
            var where = string.Create(CultureInfo.InvariantCulture, $"{key}[{replicas.Count}]");
            if (
                item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("providedIp", out var ip)
                || ip.ValueKind != JsonValueKind.String
            )
            {
                throw new ConfigException(path, where, null, "expected an object with a \"providedIp\" string");
            }

            int? port = null;
            if (item.TryGetProperty("port", out var portElement))
            {
                port = int.TryParse(Text(portElement), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new ConfigException(
                        path,
                        where + ".port",
                        null,
                        $"'{Text(portElement) ?? portElement.GetRawText()}' is not accepted: an integer port"
                    );
            }

            try
            {
                var address = ReplicaAddress.Parse(ip.GetString()!, "providedIp");
                replicas.Add(port is null ? address : address with { Port = port });
            }
            catch (ClusterInitException e)
            {
                throw new ConfigException(path, where, null, e.Message);
            }
        }

        return replicas;
    }

    private static string? Text(JsonElement element) =>
        element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };

    private static int? ReadSnapshots(JsonElement root, string path)
    {
        const string key = "NUM_DB_SNAPSHOTS";
        if (!root.TryGetProperty(key, out var element))
        {
            return null;
        }

        var text = Text(element);
        return
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && DbCheckpointKeys.MaxCheckpoints.Accepts(value)
            ? value
            : throw new ConfigException(
                path,
                key,
                null,
                $"'{text ?? element.GetRawText()}' is not accepted: an integer from "
                    + $"{DbCheckpointKeys.MaxCheckpoints.Range}"
            );
    }
}
