using System.Text.Json;
using AwesomeAssertions;

namespace Cairn.Cli.Tests;

/// <summary>
/// The runtime settings <c>cairn</c> is built with (src/Cairn.Cli/Cairn.Cli.csproj), which a replica relies on for
/// its CPU and memory figures (docs/benchmarks-history.md): dropping one slows the replica without failing anything
/// else.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("System.Runtime.TieredCompilation.CallCountingDelayMs", 0)]
    [InlineData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0)]
    [InlineData("System.GC.ConserveMemory", 7)]
    public void The_cli_runs_with_the_runtime_setting_the_replica_was_measured_with(string name, int value)
    {
        // The build copies the runtime configuration of the referenced cairn program next to this test assembly.
        var path = Path.Combine(AppContext.BaseDirectory, "cairn.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));

        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.TryGetProperty(name, out var setting).Should().BeTrue($"{path} should set {name}");
        setting.GetInt32().Should().Be(value);
    }
}
