using System.Reflection;
using AwesomeAssertions;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn --version</c>, and the .NET tool packed from this repository,
/// installed from a local folder into a tool path, as docs/operator-guide.md shows.</summary>
public sealed class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan DotnetTimeout = TimeSpan.FromMinutes(15);
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-tool-").FullName;

    private static string Version =>
        typeof(CairnCommandLine)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!
            .InformationalVersion;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Version_prints_the_version_alone()
    {
        // A process of its own: the version printed is the entry assembly's, which in-process would be the test's.
        var run = await ChildProcess.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "cairn.dll"), "--version"],
            TimeSpan.FromMinutes(2)
        );

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Trim().Should().Be(Version).And.MatchRegex(@"^\d+\.\d+\.\d+$");
    }

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_runs()
    {
        var packages = Path.Combine(_root, "packages");
        var tools = Path.Combine(_root, "tools");

        var pack = await ChildProcess.RunAsync(
            "dotnet",
            ["pack", RepositoryFiles.PathOf("src/Cairn.Cli/Cairn.Cli.csproj"), "-c", "Release", "-o", packages],
            DotnetTimeout
        );
        pack.ExitCode.Should().Be(0, pack.Output + pack.Error);
        Directory
            .GetFiles(packages, "Cairn.Cli.*.nupkg")
            .Select(Path.GetFileName)
            .Should()
            .Equal($"Cairn.Cli.{Version}.nupkg");

        var install = await ChildProcess.RunAsync(
            "dotnet",
            [
                "tool",
                "install",
                "Cairn.Cli",
                "--version",
                Version,
                "--tool-path",
                tools,
                "--add-source",
                packages,
                "--ignore-failed-sources",
            ],
            DotnetTimeout,
            workingDirectory: _root
        );
        install.ExitCode.Should().Be(0, install.Output + install.Error);

        var version = await ChildProcess.RunAsync(Path.Combine(tools, "cairn"), ["--version"], TimeSpan.FromMinutes(2));
        version.ExitCode.Should().Be(0, version.Error);
        version.Output.Trim().Should().Be(Version);
    }
}
