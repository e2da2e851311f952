namespace Cairn.FaultTests.Scenarios;

/// <summary>A Byzantine replica: validly signed conflicting messages and wrong checkpoint digests (full campaign
/// only).</summary>
[Collection("fault clusters")]
public sealed class ByzantineTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task A_replica_that_equivocates_and_signs_wrong_checkpoint_digests_changes_nothing() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "Byzantine replica: equivocation, wrong checkpoint digests",
            c => ByzantineFaultScripts.LyingReplicaAsync(c, TimeSpan.FromSeconds(30), checkpointWindow: 150)
        );
}
