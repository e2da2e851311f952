using System.Text.Json;
using AwesomeAssertions;
using Cairn.Node.LocalCluster;

namespace Cairn.Cli.Tests;

/// <summary>
/// The runtime settings <c>cairn</c> is built with (src/Cairn.Cli/Cairn.Cli.csproj) and those a replica is started with
/// (<see cref="ReplicaEnvironment"/>), which the CPU and memory figures of replicas and of commands such as
/// <c>cairn load</c> rely on (docs/benchmarks-history.md): dropping one slows them without failing anything else.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", "0")]
    [InlineData("System.GC.ConserveMemory", "7")]
    [InlineData("System.Runtime.TieredPGO", "False")]
    public void The_cli_runs_with_the_runtime_setting_it_was_measured_with(string name, string value)
    {
        // The build copies the runtime configuration of the referenced cairn program next to this test assembly.
        var path = Path.Combine(AppContext.BaseDirectory, "cairn.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));

        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.TryGetProperty(name, out var setting).Should().BeTrue($"{path} should set {name}");
        setting.ToString().Should().Be(value);
    }

    [Theory]
    [InlineData("DOTNET_TC_CallCountingDelayMs", "0")]
    [InlineData("MALLOC_ARENA_MAX", "2")]
    [InlineData("DOTNET_TieredPGO", "1")]
    [InlineData("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1")]
    public void A_replica_starts_with_the_environment_it_was_measured_with(string name, string value) =>
        ReplicaEnvironment.Variables.Should().Contain(name, value);
}
