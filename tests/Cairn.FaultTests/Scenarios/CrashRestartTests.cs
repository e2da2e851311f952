using Cairn.IntegrationTests;

namespace Cairn.FaultTests.Scenarios;

/// <summary>Process crashes (kill -9) and restarts under load, each on a fresh cluster (full campaign only).</summary>
[Collection("fault clusters")]
public sealed class CrashRestartTests
{
    [Fact(Skip = "full campaign only (CAIRN_FAULTS=1)", SkipUnless = nameof(Campaign.Full), SkipType = typeof(Campaign))]
    public async Task Killing_a_random_replica_every_few_seconds_for_a_minute_loses_nothing()
    {
        var seed = Campaign.Seed();
        await using var cluster = await Cluster.FaultCluster.StartAsync(TestPorts.At(Campaign.BasePort), seed);
        (await ScenarioRunner.RunAsync(cluster, "kill -9 a random replica every few seconds for 60 s", seed,
            c => FaultScripts.KillLoopAsync(c, TimeSpan.FromSeconds(60)))).ShouldPass();
    }

    [Fact(Skip = "full campaign only (CAIRN_FAULTS=1)", SkipUnless = nameof(Campaign.Full), SkipType = typeof(Campaign))]
    public async Task Killing_all_replicas_and_starting_them_in_a_random_order_loses_nothing()
    {
        var seed = Campaign.Seed();
        await using var cluster = await Cluster.FaultCluster.StartAsync(TestPorts.At(Campaign.BasePort), seed);
        (await ScenarioRunner.RunAsync(cluster, "kill -9 all, restart in random order (3 rounds)", seed,
            c => FaultScripts.ChaoticRestartAsync(c, 3))).ShouldPass();
    }
}
