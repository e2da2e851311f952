using Cairn.FaultTests.History;

namespace Cairn.FaultTests.Scenarios;

/// <summary>200 sessions writing 16 KB values, as a new user's large-value load does: batches as large as the load
/// makes them, with no fault and with the primary killed (full campaign only).</summary>
[Collection("fault clusters")]
public sealed class LargeValueTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Two_hundred_sessions_of_16_KB_values_are_served() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "16 KB values from 200 sessions",
            c => FaultScripts.SteadyLoadAsync(c, TimeSpan.FromSeconds(20)),
            load: LoadShape.LargeValues
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Killing_the_primary_under_16_KB_values_from_200_sessions_leaves_a_cluster_that_serves() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "kill -9 the primary under 16 KB values from 200 sessions",
            c => FaultScripts.KillPrimaryAsync(c, TimeSpan.FromSeconds(60)),
            load: LoadShape.LargeValues
        );
}
