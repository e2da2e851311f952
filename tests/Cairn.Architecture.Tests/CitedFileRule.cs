using System.Text.RegularExpressions;

namespace Cairn.Architecture.Tests;

/// <summary>
/// A comment may cite only files in the repository, so a reader can follow it: every Markdown file, every path into
/// src/, tests/, bench/ or docs/, and every source or script file name a comment names must exist.
/// </summary>
public static class CitedFileRule
{
    private const string NotAfterPathCharacter = @"(?<![\w./-])";

    private static readonly Regex[] Citations =
    [
        new(NotAfterPathCharacter + @"(?:\.{1,2}/)?[\w.-]+(?:/[\w.-]+)*\.md\b"),
        new(NotAfterPathCharacter + @"(?:\./)?(?:src|tests|bench|docs)/[\w.*/-]*[\w*]"),
        new(NotAfterPathCharacter + @"(?:\./)?[\w.-]+\.(?:cs|sh|csproj|props|slnx|proto)\b"),
    ];

    /// <summary>The files and folders the comments of <paramref name="sourceText"/> cite, with their lines.</summary>
    public static IReadOnlyList<(int Line, string Cited)> CitationsIn(string sourceText) =>
        [
            .. CSharpSource
                .Parse(sourceText)
                .Comments.SelectMany(comment =>
                    Citations
                        .SelectMany(pattern => pattern.Matches(comment.Text))
                        .Select(match => (comment.Line, match.Value))
                        .Distinct()
                ),
        ];

    /// <summary>Each citation in <paramref name="sourceText"/> that <paramref name="files"/> does not hold.</summary>
    public static IReadOnlyList<string> Violations(string path, string sourceText, IReadOnlyCollection<string> files) =>
        [
            .. CitationsIn(sourceText)
                .Where(citation => !Holds(files, citation.Cited))
                .Select(citation => $"{path}:{citation.Line}: cites {citation.Cited}, which is not in the repository"),
        ];

    /// <summary>
    /// Whether <paramref name="repositoryFiles"/> ('/'-separated paths from the root) hold what a comment cites: a
    /// name or path matches a file whose path ends with it (from the root or after a '/'); '*' is a wildcard; a path
    /// may name a folder.
    /// </summary>
    public static bool Holds(IReadOnlyCollection<string> repositoryFiles, string cited)
    {
        var relative = cited.StartsWith("./", StringComparison.Ordinal) ? cited[2..] : cited.TrimEnd('/');
        while (relative.StartsWith("../", StringComparison.Ordinal))
        {
            relative = relative[3..];
        }

        var pattern = string.Join("[^/]*", relative.Split('*').Select(Regex.Escape));
        var cite = new Regex("(^|/)" + pattern + "(/.*)?$");
        return repositoryFiles.Any(cite.IsMatch);
    }
}
