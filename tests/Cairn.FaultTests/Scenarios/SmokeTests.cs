using Cairn.IntegrationTests;

namespace Cairn.FaultTests.Scenarios;

/// <summary>The default suite's short run of the campaign on one cluster: the primary isolated and healed, then a
/// backup killed with kill -9 and restarted, all under load, then every post-scenario check.</summary>
[Collection("fault clusters")]
public sealed class SmokeTests
{
    [Fact]
    public async Task Isolating_the_primary_and_killing_a_replica_under_load_keeps_the_history_linearizable_and_the_replicas_equal()
    {
        await using var cluster = await Cluster.FaultCluster.StartAsync(TestPorts.At(Campaign.BasePort), Campaign.Seed());
        var report = await ScenarioRunner.RunAsync(cluster, "smoke: isolate primary, kill -9 one replica", Campaign.Seed(), async context =>
        {
            await FaultScripts.IsolatePrimaryAsync(context, TimeSpan.FromSeconds(8));
            context.Cluster.Network.Heal();
            await FaultScripts.KillLoopAsync(context, TimeSpan.FromSeconds(1));
        });

        report.ShouldPass();
    }
}
