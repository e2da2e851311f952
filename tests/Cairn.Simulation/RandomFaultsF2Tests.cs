using AwesomeAssertions;

namespace Cairn.Simulation;

/// <summary>Seeded runs at f=2 (7 replicas) with random faults; a failure prints its seed and scenario for an identical
/// replay.</summary>
public sealed class RandomFaultsF2Tests
{
    [Fact]
    public void Random_fault_seeds_are_safe_and_live()
    {
        var failures = SeedRunner.RunAll(SeedRunner.Seeds(defaultCount: 80, offset: 5000), f: 2);
        failures.Should().BeEmpty(string.Join("\n\n", failures.Take(3)));
    }

    /// <summary>
    /// Two WrongDigests replicas and two correct ones that lost the early slots: a NEW-VIEW re-proposed seqs the
    /// others had already committed, and a replica that had committed one but missed a PREPARE in the new view never
    /// sent its COMMIT, so the laggards stayed one COMMIT short and no checkpoint became stable.
    /// </summary>
    [Theory]
    [InlineData(6254)]
    [InlineData(6918)]
    public void A_committed_seq_re_proposed_in_a_new_view_gets_its_commit_again(int seed)
    {
        var failure = new Cluster(SimulationScenario.FromSeed(seed, 2)).Run();

        failure.Should().BeNull();
    }
}
