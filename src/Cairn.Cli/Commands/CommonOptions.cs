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
