namespace Cairn.FaultTests.Scenarios;

/// <summary>Operator commands racing with client load, with a view change and with a wedge (full campaign
/// only).</summary>
[Collection("fault clusters")]
public sealed class OperatorRaceTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task On_demand_checkpoints_under_load_are_taken_by_every_replica() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "dbCheckpoint create x5 racing with load",
            c => OperatorFaultScripts.CheckpointCommandsUnderLoadAsync(c, 5)
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task An_on_demand_checkpoint_sent_as_the_primary_is_cut_off_is_ordered_in_the_next_view() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "dbCheckpoint create racing with a view change",
            OperatorFaultScripts.CheckpointCommandDuringViewChangeAsync
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task A_wedge_under_load_stops_every_replica_at_one_point_and_unwedge_resumes() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            "wedge stop under load, unwedge",
            OperatorFaultScripts.WedgeUnderLoadAsync
        );
}
