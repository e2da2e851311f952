namespace Cairn.FaultTests.Scenarios;

/// <summary>Process crashes (kill -9) and restarts under load, each on a fresh cluster (full campaign only).</summary>
[Collection("fault clusters")]
public sealed class CrashRestartTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Killing_a_random_replica_every_few_seconds_for_a_minute_loses_nothing() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "kill -9 a random replica every few seconds for 60 s",
            c => FaultScripts.KillLoopAsync(c, TimeSpan.FromSeconds(60))
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Killing_all_replicas_and_starting_them_in_a_random_order_loses_nothing() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "kill -9 all, restart in random order (3 rounds)",
            c => FaultScripts.ChaoticRestartAsync(c, 3)
        );
}
