using System.Globalization;
using System.Text;

namespace Cairn.Architecture.Tests;

/// <summary>
/// Lines of C# are at most <see cref="MaxColumns"/> columns. Until the existing long lines are wrapped, a baseline
/// (path:count per file) records how many each file has; a file fails when its count grows or a new file has any.
/// </summary>
public static class LineLengthRule
{
    /// <summary>The widest a line may be, in columns (Unicode scalar values, tabs counting one).</summary>
    public const int MaxColumns = 120;

    /// <summary>The baseline's path in the repository.</summary>
    public const string BaselinePath = "tests/Cairn.Architecture.Tests/line-length-baseline.txt";

    /// <summary>Set to 1 to rewrite the baseline from the repository instead of checking against it.</summary>
    public const string UpdateVariable = "CAIRN_UPDATE_LINE_LENGTH_BASELINE";

    /// <summary>The number of lines of <paramref name="text"/> wider than <see cref="MaxColumns"/>.</summary>
    public static int LongLineCount(string text) =>
        text.Split('\n').Count(line => line.TrimEnd('\r').EnumerateRunes().Count() > MaxColumns);

    /// <summary>Reads a baseline: lines "path:count"; blank lines and lines starting with '#' are ignored.</summary>
    public static IReadOnlyDictionary<string, int> ParseBaseline(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.LastIndexOf(':');
            var number = colon <= 0 ? "" : line[(colon + 1)..];
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            {
                throw new FormatException(
                    $"{BaselinePath}:{i + 1}: '{line}' is not 'path:count' with a count of 1 or more");
            }

            counts[line[..colon]] = count;
        }

        return counts;
    }

    /// <summary>Writes a baseline (files with no long line left out), with a header saying how to remake it.</summary>
    public static string FormatBaseline(IReadOnlyDictionary<string, int> counts)
    {
        var text = new StringBuilder()
            .Append("# Long lines (over ").Append(MaxColumns)
            .Append(" columns) each C# file may still have; LineLengthTests fails\n")
            .Append("# when a file's count grows or a file not listed has one. Remake after wrapping lines:\n")
            .Append("#   ").Append(UpdateVariable)
            .Append("=1 dotnet test --project tests/Cairn.Architecture.Tests -c Release\n")
            .Append("# An empty list (only these comments) enforces the limit everywhere.\n");
        foreach (var (path, count) in counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.Append(path).Append(':').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Each file whose count of long lines exceeds what <paramref name="baseline"/> allows it.</summary>
    public static IReadOnlyList<string> Violations(
        IReadOnlyDictionary<string, int> current, IReadOnlyDictionary<string, int> baseline) =>
        [.. current
            .Where(c => c.Value > baseline.GetValueOrDefault(c.Key))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => $"{c.Key}: {c.Value} lines over {MaxColumns} columns, "
                + $"{baseline.GetValueOrDefault(c.Key)} allowed by {BaselinePath}")];
}
