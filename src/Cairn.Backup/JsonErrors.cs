using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Backup;

/// <summary>
/// Turns a <see cref="JsonException"/> from reading Cairn's on-disk JSON into one line an operator can act on: which
/// field, and what is wrong with it. The serializer's own messages name internal .NET types and span lines.
/// </summary>
internal static partial class JsonErrors
{
    /// <summary>The problem in words, e.g. "missing fields 'id', 'seqNum'" or "field 'id' is not a whole
    /// number".</summary>
    public static string Describe(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message.ReplaceLineEndings(" ");
        var field =
            error.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
                ? path[2..]
                : error.Path;
        if (MissingFields().Match(message) is { Success: true } missing)
        {
            return $"missing fields {missing.Groups[1].Value.Trim().TrimEnd('.')}";
        }

        if (UnknownField().Match(message) is { Success: true } unknown)
        {
            return $"unknown field '{unknown.Groups[1].Value}'";
        }

        if (WrongType().Match(message) is { Success: true } wrongType)
        {
            return $"field '{field}' is not {Expected(wrongType.Groups[1].Value.TrimEnd('.'))}";
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"malformed JSON at line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}"
        );
    }

    private static string Expected(string clrType) =>
        clrType switch
        {
            "System.Int32" or "System.Int64" or "System.UInt64" or "System.UInt32" => "a whole number",
            "System.String" => "a string",
            "System.Boolean" => "true or false",
            _ when clrType.EndsWith("[]", StringComparison.Ordinal) => "a list",
            _ => "of the right kind",
        };

    [GeneratedRegex(@"missing required properties including:\s*(.+)$")]
    private static partial Regex MissingFields();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownField();

    [GeneratedRegex(@"could not be converted to ([\w.\[\]`]+)")]
    private static partial Regex WrongType();
}
