using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Backup;

/// <summary>How Cairn's on-disk JSON (checkpoint.json, manifest.json) is written and read: camelCase, indented, and
/// strict on reading — an unknown, missing or null field is an error, never silently defaulted.</summary>
internal static class StrictJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}
