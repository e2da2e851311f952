namespace Cairn.FaultTests.Scenarios;

/// <summary>The default suite's short run of the campaign on one cluster: the primary isolated and healed, then a
/// replica killed with kill -9 and restarted, all under load, then every post-scenario check.</summary>
[Collection("fault clusters")]
public sealed class SmokeTests
{
    [Fact]
    public Task Isolating_the_primary_and_killing_a_replica_under_load_keeps_history_linearizable_replicas_equal() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "smoke: isolate primary, kill -9 one replica",
            async context =>
            {
                await FaultScripts.IsolatePrimaryAsync(context, TimeSpan.FromSeconds(8));
                context.Cluster.Network.Heal();
                await FaultScripts.KillLoopAsync(context, TimeSpan.FromSeconds(1));
            }
        );
}
