using AwesomeAssertions;

namespace Cairn.Simulation;

/// <summary>Seeded runs with heavy loss, quorum-less partitions and repeated crash/restart cycles.</summary>
public sealed class HarshFaultsTests
{
    [Fact]
    public void Harsh_fault_seeds_are_safe_and_live_after_healing()
    {
        var failures = SeedRunner
            .RunAll(SeedRunner.Seeds(defaultCount: 40, offset: 9000), f: 1, SimulationScenario.Harsh)
            .Concat(SeedRunner.RunAll(SeedRunner.Seeds(defaultCount: 10, offset: 9500), f: 2, SimulationScenario.Harsh))
            .ToList();
        failures.Should().BeEmpty(string.Join("\n\n", failures.Take(3)));
    }
}
