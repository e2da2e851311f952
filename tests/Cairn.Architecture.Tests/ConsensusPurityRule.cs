using System.Text.RegularExpressions;

namespace Cairn.Architecture.Tests;

/// <summary>
/// The consensus core is a pure state machine: no clock, randomness, threads, tasks, or file and network access,
/// so the host and the deterministic simulator run the same code. Scans code only, never comments or strings.
/// </summary>
public static class ConsensusPurityRule
{
    private static readonly (Regex Pattern, string What)[] Forbidden =
    [
        (new Regex(@"\bDateTime(Offset)?\s*\.\s*(Now|UtcNow|Today)\b"), "a clock"),
        (new Regex(@"\b(TimeProvider|Stopwatch)\b"), "a clock"),
        (new Regex(@"\bEnvironment\s*\.\s*TickCount(64)?\b"), "a clock"),
        (new Regex(@"\b(Random|RandomNumberGenerator)\b"), "randomness"),
        (new Regex(@"\bGuid\s*\.\s*NewGuid\b"), "randomness"),
        (new Regex(@"\b(Thread|ThreadPool|Parallel|Timer|PeriodicTimer)\b"), "threads"),
        (new Regex(@"\b(Interlocked|Volatile|Monitor|Mutex|SemaphoreSlim)\b"), "threads"),
        (new Regex(@"\block\s*\("), "threads"),
        (new Regex(@"\b(Task|ValueTask|TaskCompletionSource|Channel)\b"), "tasks"),
        (new Regex(@"\b(async|await)\b"), "tasks"),
        (new Regex(@"\b(File|Directory|FileStream|FileInfo|DirectoryInfo|DriveInfo)\b"), "file access"),
        (new Regex(@"\b(StreamReader|StreamWriter)\b"), "file access"),
        (new Regex(@"\bSystem\s*\.\s*IO\b"), "file access"),
        (new Regex(@"\b(Socket|TcpClient|HttpClient|Console)\b"), "I/O"),
    ];

    /// <summary>Each use of a forbidden API in <paramref name="sourceText"/>, as "path:line: what ('text')".</summary>
    public static IReadOnlyList<string> Violations(string path, string sourceText)
    {
        var lines = CSharpSource.Parse(sourceText).Code.Split('\n');
        var violations = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var (pattern, what) in Forbidden)
            {
                violations.AddRange(pattern.Matches(lines[i]).Select(m => $"{path}:{i + 1}: {what} ('{m.Value}')"));
            }
        }

        return violations;
    }
}
