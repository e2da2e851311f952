namespace Cairn.Architecture.Tests;

/// <summary>Lines of C# are at most <see cref="MaxColumns"/> columns, so a change reads in a side-by-side diff.
/// <c>csharpier format .</c> (configured in .csharpierrc.json) wraps code; comments and long strings are wrapped by
/// hand.
/// </summary>
public static class LineLengthRule
{
    /// <summary>The widest a line may be, in columns (Unicode scalar values, tabs counting one).</summary>
    public const int MaxColumns = 120;

    /// <summary>Each line of <paramref name="text"/> wider than <see cref="MaxColumns"/>, as "path:line: N
    /// columns".</summary>
    public static IReadOnlyList<string> Violations(string path, string text) =>
        [
            .. text.Split('\n')
                .Select((line, index) => (Columns: line.TrimEnd('\r').EnumerateRunes().Count(), Number: index + 1))
                .Where(line => line.Columns > MaxColumns)
                .Select(line => $"{path}:{line.Number}: {line.Columns} columns (at most {MaxColumns})"),
        ];
}
