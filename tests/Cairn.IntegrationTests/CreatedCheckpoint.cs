using System.Text.Json;

namespace Cairn.IntegrationTests;

/// <summary>Reads <c>cairn op dbCheckpoint create --json</c>'s output. The command returns once 2f + 1 replicas list
/// the checkpoint, so any one replica (replica 0 included) may not list it yet.</summary>
internal static class CreatedCheckpoint
{
    /// <summary>The id of the checkpoint the command ordered, from the first replica that lists it.</summary>
    public static ulong Id(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document
            .RootElement.GetProperty("replicas")
            .EnumerateArray()
            .Where(r => r.GetProperty("checkpoints").ValueKind == JsonValueKind.Array)
            .SelectMany(r => r.GetProperty("checkpoints").EnumerateArray())
            .Select(c => c.GetProperty("id").GetUInt64())
            .First();
    }
}
