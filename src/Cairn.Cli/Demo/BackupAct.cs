using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Node.LocalCluster;
using Cairn.Operator;
using Spectre.Console;

namespace Cairn.Cli.Demo;

/// <summary>Act 3: backups with no maintenance window — an on-demand DB checkpoint on every replica while the cluster
/// serves, then a wedge for maintenance (writes refused, reads served, a checkpoint at the wedge point) and unwedge.</summary>
internal static class BackupAct
{
    public static async Task RunAsync(DemoNarrator narrator, ClusterRunner runner, CancellationToken cancellationToken)
    {
        narrator.Act("Act 3 — online backups: DB checkpoints on demand, and a wedge for maintenance");
        var operatorConfig = ClientConfig.Load(runner.Layout.OperatorConfig);
        var operators = new OperatorClient(operatorConfig);

        var ordered = await narrator.StepAsync("Order a DB checkpoint on every replica (cairn op dbCheckpoint create)",
            () => operators.SubmitAsync(OperatorCommandType.DbCheckpointCreate, cancellationToken), r => r.Message);
        var taken = await narrator.StepAsync("Wait for every replica to report it", () => WaitForCheckpointAsync(operatorConfig, ordered.EffectiveAt.Value, cancellationToken),
            answers => $"{answers.Count} replicas hold checkpoint {ordered.EffectiveAt} with one state digest: {answers[0].StateDigest}");
        ShowCheckpoints(narrator.Console, taken);

        var wedge = await narrator.StepAsync("Wedge the cluster for maintenance (cairn op wedge stop)",
            () => operators.SubmitAsync(OperatorCommandType.WedgeStop, cancellationToken), r => r.Message);
        await narrator.StepAsync("Wait for every replica to stop at the wedge point", () => WaitForWedgeAsync(operatorConfig, wedge.EffectiveAt.Value, cancellationToken),
            _ => $"all replicas wedged at seq {wedge.EffectiveAt}, each with a DB checkpoint there");

        using var client = new CairnClient(ClientConfig.Load(runner.Layout.ClientConfig), session: 900);
        await narrator.StepAsync("Try a write while wedged", async () =>
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
        }, message => $"refused: {message}");

        var unwedged = await narrator.StepAsync("Unwedge (cairn op unwedge)", () => operators.SubmitAsync(OperatorCommandType.Unwedge, cancellationToken), r => r.Message);
        if (!unwedged.Accepted)
        {
            throw new ClusterRunException($"unwedge refused: {unwedged.Message}");
        }

        await narrator.StepAsync("Write again", () => client.PutAsync("maintenance"u8.ToArray(), "done"u8.ToArray(), cancellationToken),
            r => $"written in block {r.Block}");
    }

    private static async Task<IReadOnlyList<DbCheckpointCommand.CheckpointRow>> WaitForCheckpointAsync(ClientConfig config, ulong seq, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rows = (await DbCheckpointCommand.QueryAsync(config, cancellationToken))
                .Select(a => a.Status?.Checkpoints.FirstOrDefault(c => c.SeqNum == seq)).ToList();
            if (rows.All(r => r is not null))
            {
                return rows!;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterRunException($"not every replica reported a checkpoint at seq {seq} within 60 s");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task<bool> WaitForWedgeAsync(ClientConfig config, ulong point, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await OpCommand.QueryWedgeAsync(config, cancellationToken)).All(a => a.Status is { Wedged: true } s && s.WedgePoint == point))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterRunException($"not every replica wedged at seq {point} within 60 s");
            }

            await Task.Delay(200, cancellationToken);
        }

        return true;
    }

    private static void ShowCheckpoints(IAnsiConsole console, IReadOnlyList<DbCheckpointCommand.CheckpointRow> rows)
    {
        var table = new Table().AddColumns("replica", "checkpoint id", "seq", "state digest", "size");
        for (var i = 0; i < rows.Count; i++)
        {
            table.AddRow($"{i}", $"{rows[i].Id}", $"{rows[i].SeqNum}", rows[i].StateDigest, $"{rows[i].SizeBytes:N0} B");
        }

        console.Write(table);
    }
}
