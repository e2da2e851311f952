using System.Globalization;
using System.Text.Json;
using Cairn.Backup;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>The deployment-wide <c>infrastructure_descriptor.json</c> given to <c>cairn cluster init</c>; Concord
/// writes
/// its numbers as strings (<c>"NUM_DB_SNAPSHOTS": "2"</c>), so both strings and numbers are accepted.</summary>
public sealed record InfrastructureDescriptor(int? NumDbSnapshots)
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

            return new InfrastructureDescriptor(ReadSnapshots(document.RootElement, path));
        }
    }

    private static int? ReadSnapshots(JsonElement root, string path)
    {
        const string key = "NUM_DB_SNAPSHOTS";
        if (!root.TryGetProperty(key, out var element))
        {
            return null;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
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
