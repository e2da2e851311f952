using AwesomeAssertions;

namespace Cairn.Simulation;

/// <summary>Seeded runs at f=2 (7 replicas) with random faults; a failure prints its seed and scenario for an identical replay.</summary>
public sealed class RandomFaultsF2Tests
{
    [Fact]
    public void Random_fault_seeds_are_safe_and_live()
    {
        var failures = SeedRunner.RunAll(SeedRunner.Seeds(defaultCount: 80, offset: 5000), f: 2);
        failures.Should().BeEmpty(string.Join("\n\n", failures.Take(3)));
    }
}
