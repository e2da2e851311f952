using Cairn.Client;
using Cairn.FaultTests.History;
using Cairn.IntegrationTests;
using Cairn.Operator;

namespace Cairn.FaultTests.Scenarios;

/// <summary>Signed operator commands racing with client load, with a view change, and with a wedge.</summary>
internal static class OperatorFaultScripts
{
    /// <summary>Several on-demand checkpoints under load: each is accepted, and every replica ends up holding
    /// it.</summary>
    public static async Task CheckpointCommandsUnderLoadAsync(ScenarioContext context, int commands)
    {
        for (var i = 0; i < commands; i++)
        {
            if (await SubmitAsync(context, OperatorCommandType.DbCheckpointCreate) is { Accepted: true } result)
            {
                await ExpectCheckpointEverywhereAsync(context, result.EffectiveAt.Value);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(context.Random.Next(500, 3000)));
        }
    }

    /// <summary>An on-demand checkpoint sent the moment the primary is cut off: it must be ordered in the next
    /// view.</summary>
    public static async Task CheckpointCommandDuringViewChangeAsync(ScenarioContext context)
    {
        var primary = await context.PrimaryAsync();
        context.Step($"isolate primary {primary} and ask for a checkpoint at once");
        context.Cluster.Network.Isolate(primary);
        var result = await SubmitAsync(context, OperatorCommandType.DbCheckpointCreate);
        var view = (await context.Cluster.StatusesAsync())
            .Where((s, i) => i != primary && s is not null)
            .Max(s => s!.View);
        context.Step($"checkpoint command answered in view {view}");
        context.Cluster.Network.Heal();
        if (result is { Accepted: true })
        {
            await ExpectCheckpointEverywhereAsync(context, result.EffectiveAt.Value);
        }
    }

    /// <summary>wedge stop under load: every replica stops at one sequence number with a checkpoint there, no write
    /// succeeds while wedged (reads are answered from the frozen state), and unwedge lets the load resume.</summary>
    public static async Task WedgeUnderLoadAsync(ScenarioContext context)
    {
        if (await SubmitAsync(context, OperatorCommandType.WedgeStop) is not { Accepted: true })
        {
            return;
        }

        var statuses = await context.Cluster.WaitForAsync(
            s => s.All(x => x is not null && x.WedgePoint != 0 && x.LastExecutedSeq >= x.WedgePoint),
            TimeSpan.FromSeconds(90),
            "every replica wedged"
        );
        var point = statuses[0]!.WedgePoint;
        var wedged = HistoryRecorder.Now();
        context.Step($"all replicas wedged at seq {point}: {ReplicaStatusWait.Describe(statuses)}");
        if (statuses.Any(s => s!.WedgePoint != point))
        {
            context.Problem($"replicas wedged at different points: {ReplicaStatusWait.Describe(statuses)}");
        }

        await ExpectCheckpointEverywhereAsync(context, point);
        await Task.Delay(TimeSpan.FromSeconds(3));
        // Ordering stops at the wedge point: nothing but the operator's unwedge is ordered past it.
        var stopped = await context.Cluster.StatusesAsync();
        if (stopped.Any(s => s is not null && s.LastExecutedSeq != point))
        {
            context.Problem($"replicas ordered past the wedge point {point}: {ReplicaStatusWait.Describe(stopped)}");
        }

        // Reads are answered from the frozen state while wedged; writes are refused.
        var operations = context.History.Snapshot().Where(o => o.InvokedAt > wedged).ToList();
        var written = operations.Count(o => o.Kind == OperationKind.Put && o.Outcome == Outcome.Ok);
        context.Step(
            $"while wedged: {operations.Count(o => o.Kind == OperationKind.Get && o.Outcome == Outcome.Ok)} reads "
                + $"answered, "
                + $"{operations.Count(o => o.Kind == OperationKind.Put && o.Outcome == Outcome.Fail)} writes refused, "
                + $"{written} writes succeeded"
        );
        if (written > 0)
        {
            context.Problem($"{written} writes succeeded on a wedged cluster");
        }

        await SubmitAsync(context, OperatorCommandType.Unwedge);
    }

    /// <summary>Sends a signed operator command through the client proxies; a refusal or no answer is a
    /// problem.</summary>
    public static async Task<OperatorResult?> SubmitAsync(ScenarioContext context, OperatorCommandType type)
    {
        context.Step($"operator: {type}");
        try
        {
            var result = await new OperatorClient(context.Cluster.OperatorConfig).SubmitAsync(
                type,
                CancellationToken.None
            );
            context.Step(
                $"operator: {type} -> {(result.Accepted ? "accepted" : "refused")}, seq {result.EffectiveAt.Value}: "
                    + $"{result.Message}"
            );
            if (!result.Accepted)
            {
                context.Problem($"{type} was refused: {result.Message}");
            }

            return result;
        }
        catch (Exception e) when (e is ClusterUnavailableException or RequestRejectedException)
        {
            context.Problem($"{type} failed: {e.Message}");
            return null;
        }
    }

    /// <summary>Every replica holds a complete checkpoint at or after sequence number <paramref name="seq"/>.</summary>
    public static async Task ExpectCheckpointEverywhereAsync(ScenarioContext context, ulong seq)
    {
        try
        {
            await context.Cluster.WaitForAsync(
                _ =>
                    Enumerable
                        .Range(0, context.Cluster.Replicas)
                        .All(r => context.Cluster.HasCheckpointAtOrAfter(r, seq)),
                TimeSpan.FromSeconds(90),
                $"a checkpoint at or after seq {seq} on every replica"
            );
        }
        catch (TimeoutException e)
        {
            context.Problem(e.Message);
        }
    }
}
