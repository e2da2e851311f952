namespace Cairn.FaultTests.Scenarios;

/// <summary>kill -9 during DB checkpoint creation, export and restore, 20 times each, under load (full campaign
/// only).</summary>
[Collection("fault clusters")]
public sealed class CheckpointCrashTests
{
    private const int Kills = 20;

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Killing_replicas_while_they_create_checkpoints_leaves_only_complete_checkpoints() =>
        // A consensus checkpoint every 30 sequence numbers and a DB checkpoint at each one at least 1 s apart.
        ScenarioRunner.RunOnFreshClusterAsync(
            $"kill -9 during checkpoint creation ({Kills}x)",
            c => CheckpointFaultScripts.KillDuringCreationAsync(c, Kills),
            new Dictionary<string, string>
            {
                ["checkpoint_window_size"] = "30",
                ["dbcheckpoint_window"] = "30",
                ["db_checkpoint_duration"] = "1",
            }
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Killing_exports_never_leaves_a_partial_archive_under_its_name() =>
        // Retention keeps ten, so the checkpoint being exported is not retired under the exporter's feet.
        ScenarioRunner.RunOnFreshClusterAsync(
            $"kill -9 during checkpoint export ({Kills}x)",
            c => CheckpointFaultScripts.KillDuringExportAsync(c, Kills),
            new Dictionary<string, string> { ["num_of_rocksdbcheckpoints"] = "10" }
        );

    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public Task Killing_restores_and_restoring_again_brings_the_replica_back() =>
        ScenarioRunner.RunOnFreshClusterAsync(
            $"kill -9 during restore ({Kills}x)",
            c => CheckpointFaultScripts.KillDuringRestoreAsync(c, Kills)
        );
}
