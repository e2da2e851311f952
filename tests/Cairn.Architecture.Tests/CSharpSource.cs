using System.Text;

namespace Cairn.Architecture.Tests;

/// <summary>
/// C# source split into code and comments, enough for the text rules: a word in a comment or a string literal is not
/// code, and a file name in a string is not a citation. The contents of comments and literals are blanked in
/// <see cref="Code"/> (line breaks kept, so line numbers still hold); interpolation holes count as string.
/// </summary>
public sealed class CSharpSource
{
    private CSharpSource(string code, IReadOnlyList<SourceComment> comments)
    {
        Code = code;
        Comments = comments;
    }

    /// <summary>The source with comments and literal contents replaced by spaces.</summary>
    public string Code { get; }

    /// <summary>Every <c>//</c>, <c>///</c> and <c>/* */</c> comment, in order.</summary>
    public IReadOnlyList<SourceComment> Comments { get; }

    /// <summary>Splits <paramref name="text"/> into code and comments.</summary>
    public static CSharpSource Parse(string text)
    {
        var code = new StringBuilder(text.Length);
        var comments = new List<SourceComment>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            if (At(text, i, "//"))
            {
                i = IndexOrEnd(text, '\n', i);
                comments.Add(new SourceComment(line, text[start..i].TrimStart('/').TrimEnd('\r')));
            }
            else if (At(text, i, "/*"))
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
                comments.Add(new SourceComment(line, text[(start + 2)..Math.Max(start + 2, i - 2)]));
            }
            else if (RawStringQuotes(text, i) is var quotes and >= 3)
            {
                var fence = new string('"', quotes);
                var end = text.IndexOf(fence, i + quotes, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + quotes;
            }
            else if (At(text, i, "@\"") || At(text, i, "$@\"") || At(text, i, "@$\""))
            {
                i = VerbatimStringEnd(text, text.IndexOf('"', i) + 1);
            }
            else if (text[i] == '"' || At(text, i, "$\""))
            {
                i = QuotedEnd(text, text.IndexOf('"', i) + 1, '"');
            }
            else if (text[i] == '\'')
            {
                i = QuotedEnd(text, i + 1, '\'');
            }
            else
            {
                line += text[i] == '\n' ? 1 : 0;
                code.Append(text[i]);
                i++;
                continue;
            }

            foreach (var c in text.AsSpan(start, i - start))
            {
                line += c == '\n' ? 1 : 0;
                code.Append(c == '\n' ? '\n' : ' ');
            }
        }

        return new CSharpSource(code.ToString(), comments);
    }

    private static bool At(string text, int i, string token) =>
        string.CompareOrdinal(text, i, token, 0, token.Length) == 0;

    private static int IndexOrEnd(string text, char c, int from)
    {
        var index = text.IndexOf(c, from);
        return index < 0 ? text.Length : index;
    }

    private static int RawStringQuotes(string text, int i)
    {
        var from = i;
        while (from < text.Length && text[from] == '$')
        {
            from++;
        }

        var to = from;
        while (to < text.Length && text[to] == '"')
        {
            to++;
        }

        return to - from;
    }

    private static int VerbatimStringEnd(string text, int i)
    {
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return i;
    }

    // A regular string or char literal ends at its closing quote, or (malformed) at the end of the line.
    private static int QuotedEnd(string text, int i, char quote)
    {
        while (i < text.Length && text[i] != '\n')
        {
            if (text[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (text[i] == quote)
            {
                return i + 1;
            }

            i++;
        }

        return Math.Min(i, text.Length);
    }
}
