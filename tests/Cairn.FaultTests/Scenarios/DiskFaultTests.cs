using Cairn.FaultTests.Cluster;
using Cairn.IntegrationTests;

namespace Cairn.FaultTests.Scenarios;

/// <summary>A nearly full file system, for real: replica 3's checkpoints live on a small tmpfs that the scenario fills
/// (full campaign only; skipped where this machine does not allow mounting).</summary>
[Collection("fault clusters")]
public sealed class DiskFaultTests
{
    [Fact(
        Skip = "full campaign only (CAIRN_FAULTS=1)",
        SkipUnless = nameof(Campaign.Full),
        SkipType = typeof(Campaign)
    )]
    public async Task A_nearly_full_checkpoint_file_system_makes_the_guard_skip_and_checkpoints_resume_when_freed()
    {
        var (tmpfs, reason) = TmpfsMount.TryMount(64);
        Assert.SkipWhen(tmpfs is null, $"cannot mount a tmpfs here: {reason}");
        using (tmpfs)
        {
            const string Name = "checkpoint file system nearly full (64 MB tmpfs)";
            var seed = Campaign.Seed();
            (
                await ScenarioRunner.ReportingAbortsAsync(
                    Name,
                    seed,
                    async () =>
                    {
                        await using var cluster = FaultCluster.Create(TestPorts.At(Campaign.BasePort), seed);
                        cluster.SetReplicaSetting(3, "db_checkpoint_path", $"\"{tmpfs!.Path}\"");
                        await cluster.UpAsync();
                        return await ScenarioRunner.RunAsync(
                            cluster,
                            Name,
                            seed,
                            c => DiskFaultScripts.NearlyFullCheckpointFileSystemAsync(c, 3, tmpfs)
                        );
                    }
                )
            ).ShouldPass();
        }
    }
}
