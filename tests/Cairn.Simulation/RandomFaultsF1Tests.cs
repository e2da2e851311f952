using AwesomeAssertions;

namespace Cairn.Simulation;

/// <summary>Seeded runs at f=1 (4 replicas) with random faults; a failure prints its seed and scenario for an identical
/// replay.</summary>
public sealed class RandomFaultsF1Tests
{
    [Fact]
    public void Random_fault_seeds_are_safe_and_live()
    {
        var failures = SeedRunner.RunAll(SeedRunner.Seeds(defaultCount: 200, offset: 1000), f: 1);
        failures.Should().BeEmpty(string.Join("\n\n", failures.Take(3)));
    }
}
