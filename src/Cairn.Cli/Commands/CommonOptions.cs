using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>Options and output helpers shared by the commands.</summary>
internal static class CommonOptions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Option<DirectoryInfo> Cluster() =>
        new("--cluster") { Description = "The cluster directory made by 'cairn cluster init'.", Required = true };

    public static Option<bool> JsonOutput() =>
        new("--json") { Description = "Print one JSON document on stdout instead of a report." };

    /// <summary>The longest <c>--timeout</c> a command accepts: a day.</summary>
    public const int LongestTimeoutSeconds = 86_400;

    /// <summary><c>--timeout</c>: whole seconds from 0 to <see cref="LongestTimeoutSeconds"/>, default
    /// <paramref name="defaultSeconds"/>.</summary>
    public static Option<int> TimeoutSeconds(string description, int defaultSeconds)
    {
        var timeout = new Option<int>("--timeout")
        {
            Description = description,
            DefaultValueFactory = _ => defaultSeconds,
        };
        Bound(timeout, 0, LongestTimeoutSeconds, " seconds");
        return timeout;
    }

    // The range each bounded option accepts, for the parser's error about a value that is not a number at all.
    private static readonly ConditionalWeakTable<Option, Tuple<int, int>> Bounds = [];

    /// <summary>The range <see cref="Bound"/> gave <paramref name="option"/>; null when it has none.</summary>
    public static (int Min, int Max)? BoundOf(Option option) =>
        Bounds.TryGetValue(option, out var range) ? (range.Item1, range.Item2) : null;

    /// <summary>Refuses a value of <paramref name="option"/> outside <paramref name="min"/>..<paramref name="max"/>
    /// with a one-line error ("--name must be between min and max" and <paramref name="unit"/>).</summary>
    public static void Bound(Option<int> option, int min, int max, string unit = "")
    {
        Bounds.AddOrUpdate(option, Tuple.Create(min, max));
        option.Validators.Add(result =>
        {
            // A token that is not a number is the parser's error to report; this only bounds numbers.
            if (
                result.Tokens is [var token]
                && int.TryParse(token.Value, out var value)
                && (value < min || value > max)
            )
            {
                result.AddError($"{option.Name} must be between {min} and {max}{unit}");
            }
        });
    }

    /// <summary>Writes <paramref name="value"/> as camelCase JSON, straight to stdout (never wrapped or
    /// styled).</summary>
    [RequiresUnreferencedCode("Serializes by reflection: not in the operator tool, which uses the typed overload.")]
    [RequiresDynamicCode("Serializes by reflection: not in the operator tool, which uses the typed overload.")]
    public static void WriteJson(IAnsiConsole console, object value) =>
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>The same, from metadata generated at build time (<see cref="CliJson"/>): what the operator tool
    /// writes, since a natively compiled program cannot serialize by reflection.</summary>
    public static void WriteJson<T>(IAnsiConsole console, T value, JsonTypeInfo<T> type) =>
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>A size for people: B, KiB, MiB or GiB with one decimal.</summary>
    public static string FormatBytes(long bytes) =>
        bytes switch
        {
            >= 1 << 30 => $"{bytes / (double)(1 << 30):N1} GiB",
            >= 1 << 20 => $"{bytes / (double)(1 << 20):N1} MiB",
            >= 1 << 10 => $"{bytes / 1024.0:N1} KiB",
            _ => $"{bytes} B",
        };

    /// <summary>The command that runs this very CLI again (for starting replica processes).</summary>
    public static IReadOnlyList<string> SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ?
            [
                process,
                Path.Combine(
                    AppContext.BaseDirectory,
                    System.Reflection.Assembly.GetEntryAssembly()!.GetName().Name + ".dll"
                ),
            ]
            : [process];
    }
}
