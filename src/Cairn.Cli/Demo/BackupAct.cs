using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Node.LocalCluster;
using Cairn.Operator;

namespace Cairn.Cli.Demo;

/// <summary>Act 3: a DB checkpoint on demand — ordered through consensus, taken by every replica at the same sequence
/// number while the cluster serves — and the status table that shows it.</summary>
internal static class BackupAct
{
    public static async Task RunAsync(DemoNarrator narrator, ClusterRunner runner, CancellationToken cancellationToken)
    {
        narrator.Act("Act 3 — a backup on demand, with no maintenance window");
        var operatorConfig = ClientConfig.Load(runner.Layout.OperatorConfig);
        var operators = new OperatorClient(operatorConfig);

        var ordered = await narrator.StepAsync(
            "Order a DB checkpoint on every replica (cairn op dbCheckpoint create)",
            () => operators.SubmitAsync(OperatorCommandType.DbCheckpointCreate, cancellationToken),
            r => r.Message
        );
        var answers = await narrator.StepAsync(
            "Wait for every replica to report it (cairn op dbCheckpoint status)",
            () => WaitForCheckpointAsync(operatorConfig, ordered.EffectiveAt.Value, cancellationToken),
            a =>
                $"{a.Count} replicas hold checkpoint {ordered.EffectiveAt} with one state digest: "
                + a[0].Status!.Checkpoints.First(c => c.SeqNum == ordered.EffectiveAt.Value).StateDigest
        );
        DbCheckpointCommand.Show(narrator.Console, answers, json: false, onlySeq: null);
    }

    private static async Task<IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>>> WaitForCheckpointAsync(
        ClientConfig config,
        ulong seq,
        CancellationToken cancellationToken
    )
    {
        var answers = await DbCheckpointCommand.WaitForAsync(
            config,
            a => DbCheckpointQuorum.Lists(a, seq),
            TimeSpan.FromSeconds(60),
            cancellationToken
        );
        return answers.All(a => DbCheckpointQuorum.Lists(a, seq))
            ? answers
            : throw new ClusterRunException($"not every replica reported a checkpoint at seq {seq} within 60 s");
    }
}
