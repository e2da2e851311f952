using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Node.LocalCluster;
using Cairn.Operator;

namespace Cairn.Cli.Demo;

/// <summary>Act 5: a wedge for maintenance — every replica stops at one checkpoint boundary and checkpoints there;
/// writes are refused, reads served; unwedge resumes in a new epoch.</summary>
internal static class WedgeAct
{
    public static async Task RunAsync(DemoNarrator narrator, ClusterRunner runner, CancellationToken cancellationToken)
    {
        narrator.Act("Act 5 — wedge the cluster for maintenance, then resume");
        var operatorConfig = ClientConfig.Load(runner.Layout.OperatorConfig);
        var operators = new OperatorClient(operatorConfig);
        var wedge = await narrator.StepAsync(
            "Wedge the cluster (cairn op wedge stop)",
            () => operators.SubmitAsync(OperatorCommandType.WedgeStop, cancellationToken),
            r => r.Message
        );
        var answers = await narrator.StepAsync(
            "Wait for every replica to stop at the wedge point (cairn op wedge status)",
            () => WaitForWedgeAsync(operatorConfig, wedge.EffectiveAt.Value, cancellationToken),
            _ => $"all replicas wedged at seq {wedge.EffectiveAt}, each with a DB checkpoint there"
        );
        OpCommand.ShowWedgeStatus(narrator.Console, answers, json: false);

        await using var client = new CairnClient(ClientConfig.Load(runner.Layout.ClientConfig), session: 900);
        await narrator.StepAsync(
            "Try a write while wedged",
            async () =>
            {
                try
                {
                    await client.PutAsync("maintenance"u8.ToArray(), "x"u8.ToArray(), cancellationToken);
                    throw new ClusterRunException("a write was accepted while the cluster is wedged");
                }
                catch (RequestRejectedException e)
                {
                    return e.Message;
                }
            },
            message => $"refused: {message}"
        );

        var unwedged = await narrator.StepAsync(
            "Unwedge (cairn op unwedge)",
            () => operators.SubmitAsync(OperatorCommandType.Unwedge, cancellationToken),
            r => r.Message
        );
        if (!unwedged.Accepted)
        {
            throw new ClusterRunException($"unwedge refused: {unwedged.Message}");
        }

        await narrator.StepAsync(
            "Write again",
            () => client.PutAsync("maintenance"u8.ToArray(), "done"u8.ToArray(), cancellationToken),
            r => $"written in block {r.Block}"
        );
    }

    private static async Task<IReadOnlyList<QueryAnswer<WedgeStatusAnswer>>> WaitForWedgeAsync(
        ClientConfig config,
        ulong point,
        CancellationToken cancellationToken
    )
    {
        var answers = await OpCommand.WaitForWedgeAsync(config, point, TimeSpan.FromSeconds(60), cancellationToken);
        return answers.All(a => a.Status is { Wedged: true } s && s.WedgePoint == point)
            ? answers
            : throw new ClusterRunException($"not every replica wedged at seq {point} within 60 s");
    }
}
