namespace Cairn.FaultTests.Scenarios;

/// <summary>A Byzantine replica: validly signed conflicting messages, wrong checkpoint digests, STATUS claims far
/// ahead and forged stable certificates (full campaign only).</summary>
[Collection("fault clusters")]
public sealed class ByzantineTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task A_replica_that_equivocates_signs_wrong_digests_and_lies_about_progress_changes_nothing() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "Byzantine replica: equivocation, wrong checkpoint digests, lying STATUS, forged certificates",
            c => ByzantineFaultScripts.LyingReplicaAsync(c, TimeSpan.FromSeconds(30), checkpointWindow: 150)
        );
}
