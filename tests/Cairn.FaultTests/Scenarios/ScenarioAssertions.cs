using AwesomeAssertions;

namespace Cairn.FaultTests.Scenarios;

internal static class ScenarioAssertions
{
    /// <summary>The scenario passed every check; otherwise fails with its seed, steps and any violating
    /// sub-history.</summary>
    public static void ShouldPass(this ScenarioReport report) => report.Passed.Should().BeTrue(report.Describe());
}
