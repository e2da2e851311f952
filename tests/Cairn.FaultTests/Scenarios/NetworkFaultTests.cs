namespace Cairn.FaultTests.Scenarios;

/// <summary>Network faults through the proxies, each on a fresh cluster under load (full campaign only).</summary>
[Collection("fault clusters")]
public sealed class NetworkFaultTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Isolating_the_primary_changes_the_view_and_the_others_keep_serving() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "isolate the primary",
            c => FaultScripts.IsolatePrimaryAsync(c, TimeSpan.FromSeconds(20))
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Isolating_a_backup_leaves_the_others_serving() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "isolate a backup",
            c => FaultScripts.IsolateBackupAsync(c, TimeSpan.FromSeconds(20))
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task A_two_two_split_makes_no_progress_and_no_divergence_and_heals() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "split 2/2, heal",
            c => FaultScripts.SplitInHalfAsync(c, TimeSpan.FromSeconds(15))
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Slow_and_lossy_links_keep_the_history_linearizable() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "slow, lossy replica links",
            c => FaultScripts.LossyLinksAsync(c, TimeSpan.FromSeconds(20))
        );
}
