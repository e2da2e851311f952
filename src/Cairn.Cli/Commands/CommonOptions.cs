using System.CommandLine;
using System.Text.Json;
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

    /// <summary>Refuses a value of <paramref name="option"/> outside <paramref name="min"/>..<paramref name="max"/>
    /// with a one-line error ("--name must be between min and max" and <paramref name="unit"/>).</summary>
    public static void Bound(Option<int> option, int min, int max, string unit = "")
    {
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
    public static void WriteJson(IAnsiConsole console, object value) =>
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Json));

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
