using System.Diagnostics;
using Cairn.FaultTests.History;
using Cairn.FaultTests.Network;

namespace Cairn.FaultTests.Scenarios;

/// <summary>The fault scripts of the campaign; the smoke run and the full campaign run the same scripts for
/// different lengths of time. Each checks what must hold while its fault is on and records a problem
/// otherwise.</summary>
internal static class FaultScripts
{
    /// <summary>Cuts the primary off; the other 2f+1 must change view and keep serving.</summary>
    public static async Task IsolatePrimaryAsync(ScenarioContext context, TimeSpan hold)
    {
        var primary = await context.PrimaryAsync();
        var view = (await context.Cluster.StatusesAsync()).Max(s => s?.View ?? 0);
        context.Step($"isolate primary {primary} (view {view}) for {hold.TotalSeconds:0} s");
        var cut = HistoryRecorder.Now();
        context.Cluster.Network.Isolate(primary);
        await Task.Delay(hold);
        var served = context.SucceededSince(cut);
        var after = await context.Cluster.StatusesAsync();
        var newView = after
            .Where((s, i) => i != primary && s is not null)
            .Select(s => s!.View)
            .DefaultIfEmpty(0UL)
            .Max();
        context.Step($"while isolated: {served} operations succeeded; the others are in view {newView}");
        if (newView <= view)
        {
            context.Problem($"the replicas other than the isolated primary {primary} stayed in view {view}");
        }

        if (served == 0)
        {
            context.Problem($"nothing succeeded in {hold.TotalSeconds:0} s with only the primary {primary} cut off");
        }
    }

    /// <summary>Cuts one backup off; the other three keep serving without it.</summary>
    public static async Task IsolateBackupAsync(ScenarioContext context, TimeSpan hold)
    {
        var primary = await context.PrimaryAsync();
        var backup = Enumerable
            .Range(0, context.Cluster.Replicas)
            .Where(r => r != primary)
            .ElementAt(context.Random.Next(context.Cluster.Replicas - 1));
        context.Step($"isolate backup {backup} (primary {primary}) for {hold.TotalSeconds:0} s");
        var cut = HistoryRecorder.Now();
        context.Cluster.Network.Isolate(backup);
        await Task.Delay(hold);
        var served = context.SucceededSince(cut);
        context.Step($"while isolated: {served} operations succeeded");
        if (served == 0)
        {
            context.Problem($"nothing succeeded in {hold.TotalSeconds:0} s with only backup {backup} cut off");
        }
    }

    /// <summary>Splits the cluster 2/2: neither side has a quorum, so nothing may commit until the heal.</summary>
    public static async Task SplitInHalfAsync(ScenarioContext context, TimeSpan hold)
    {
        var replicas = Enumerable.Range(0, context.Cluster.Replicas).OrderBy(_ => context.Random.Next()).ToArray();
        int[] side = [.. replicas[..2].Order()],
            otherSide = [.. replicas[2..].Order()];
        context.Step(
            $"split {{{string.Join(',', side)}}} / {{{string.Join(',', otherSide)}}} for {hold.TotalSeconds:0} s"
        );
        context.Cluster.Network.Split(side, otherSide);
        // Requests sent before the cut may still commit on their way through; anything sent after it must not.
        var cut = HistoryRecorder.Now();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = (await context.Cluster.StatusesAsync()).Max(s => s?.LastExecutedSeq ?? 0);
        await Task.Delay(hold);
        var after = (await context.Cluster.StatusesAsync()).Max(s => s?.LastExecutedSeq ?? 0);
        var served = context.SucceededSince(cut);
        context.Step(
            $"while split: {served} operations succeeded; highest executed sequence number {before} -> {after}"
        );
        if (served > 0 || after > before)
        {
            context.Problem($"progress without a quorum: {served} operations succeeded, executed {before} -> {after}");
        }
    }

    /// <summary>Every replica link loses and delays traffic; the cluster must stay correct and keep serving.</summary>
    public static async Task LossyLinksAsync(ScenarioContext context, TimeSpan hold)
    {
        var fault = new LinkFault(
            Delay: TimeSpan.FromMilliseconds(context.Random.Next(5, 40)),
            DropProbability: 0.01 + (context.Random.NextDouble() * 0.04)
        );
        context.Step(
            $"every replica link: delay {fault.Delay.TotalMilliseconds:0} ms per chunk, {fault.DropProbability:P1} of "
                + $"chunks lost (connection reset), for {hold.TotalSeconds:0} s"
        );
        var from = HistoryRecorder.Now();
        context.Cluster.Network.SetAllReplicaLinks(fault);
        await Task.Delay(hold);
        context.Step($"while lossy: {context.SucceededSince(from)} operations succeeded");
    }

    /// <summary>Load only: the cluster must keep serving it for <paramref name="hold"/>.</summary>
    public static async Task SteadyLoadAsync(ScenarioContext context, TimeSpan hold)
    {
        var from = HistoryRecorder.Now();
        await Task.Delay(hold);
        var served = context.SucceededSince(from);
        context.Step($"{served} operations succeeded in {hold.TotalSeconds:0} s");
        if (served == 0)
        {
            context.Problem($"nothing succeeded in {hold.TotalSeconds:0} s of load with no fault");
        }
    }

    /// <summary>kill -9 the primary and keep it down: the other 2f+1 must change view and serve again within
    /// <paramref name="deadline"/>.</summary>
    public static async Task KillPrimaryAsync(ScenarioContext context, TimeSpan deadline)
    {
        var primary = await context.PrimaryAsync();
        context.Step($"kill -9 primary {primary}");
        await context.Cluster.KillAsync(primary);
        var killed = HistoryRecorder.Now();
        var watch = Stopwatch.StartNew();
        while (context.SucceededSince(killed) == 0 && watch.Elapsed < deadline)
        {
            await Task.Delay(200);
        }

        if (context.SucceededSince(killed) == 0)
        {
            context.Problem($"nothing succeeded within {deadline.TotalSeconds:0} s of killing primary {primary}");
            return;
        }

        context.Step($"serving again {watch.Elapsed.TotalSeconds:0.0} s after the kill");
        await Task.Delay(TimeSpan.FromSeconds(5));
        context.Step($"{context.SucceededSince(killed)} operations succeeded since the kill");
    }

    /// <summary>kill -9 a random replica every few seconds, restarting it each time.</summary>
    public static async Task KillLoopAsync(ScenarioContext context, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var kills = 0;
        while (watch.Elapsed < duration)
        {
            var victim = context.Random.Next(context.Cluster.Replicas);
            context.Step($"kill -9 replica {victim}");
            await context.Cluster.KillAsync(victim);
            kills++;
            await Task.Delay(TimeSpan.FromMilliseconds(context.Random.Next(500, 3000)));
            context.Step($"restart replica {victim}");
            await context.Cluster.StartReplicaAsync(victim, TimeSpan.FromSeconds(90));
            await Task.Delay(TimeSpan.FromMilliseconds(context.Random.Next(1000, 4000)));
        }

        context.Step($"{kills} kills in {watch.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>kill -9 every replica at once, then start them again one by one in a random order.</summary>
    public static async Task ChaoticRestartAsync(ScenarioContext context, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            context.Step("kill -9 all replicas");
            await Task.WhenAll(Enumerable.Range(0, context.Cluster.Replicas).Select(context.Cluster.KillAsync));
            var order = Enumerable.Range(0, context.Cluster.Replicas).OrderBy(_ => context.Random.Next()).ToArray();
            context.Step($"start in order {string.Join(", ", order)}");
            foreach (var id in order)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(context.Random.Next(0, 2000)));
                context.Cluster.Runner.StartReplica(id);
            }

            await context.Cluster.WaitForAsync(
                s => s.All(x => x is not null),
                TimeSpan.FromSeconds(90),
                "every replica answering after the restart"
            );
            var restarted = HistoryRecorder.Now();
            var watch = Stopwatch.StartNew();
            while (context.SucceededSince(restarted) == 0 && watch.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(200);
            }

            context.Step($"serving {watch.Elapsed.TotalSeconds:0.0} s after all were up");
            if (context.SucceededSince(restarted) == 0)
            {
                context.Problem($"nothing succeeded within 90 s after restart round {round + 1}");
            }
        }
    }
}
