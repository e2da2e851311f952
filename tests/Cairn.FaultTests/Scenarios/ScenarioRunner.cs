using System.Diagnostics;
using Cairn.FaultTests.Checker;
using Cairn.FaultTests.Cluster;
using Cairn.FaultTests.History;
using Cairn.IntegrationTests;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// Runs one fault scenario on a cluster under continuous client load, then heals everything and checks what every
/// scenario must satisfy: the cluster serves again, all replicas reach one last-block digest, the history is
/// linearizable, and every checkpoint on disk verifies. Appends a row to the campaign report when
/// <c>CAIRN_FAULTS_REPORT</c> names a file.
/// </summary>
internal static class ScenarioRunner
{
    private static readonly object ReportLock = new();

    /// <summary>Runs a scenario on a fresh cluster (with <paramref name="settings"/> on every replica, under
    /// <paramref name="load"/>, <see cref="LoadShape.Default"/> when null) and fails the test unless every check
    /// passed.</summary>
    public static async Task RunOnFreshClusterAsync(
        string name,
        Func<ScenarioContext, Task> faults,
        IReadOnlyDictionary<string, string>? settings = null,
        LoadShape? load = null
    )
    {
        var seed = Campaign.Seed();
        (
            await ReportingAbortsAsync(
                name,
                seed,
                async () =>
                {
                    await using var cluster = await FaultCluster.StartAsync(
                        TestPorts.At(Campaign.BasePort),
                        seed,
                        settings
                    );
                    return await RunAsync(cluster, name, seed, faults, load);
                }
            )
        ).ShouldPass();
    }

    /// <summary>Runs <paramref name="scenario"/>; when it ends with an exception instead of a report (the cluster did
    /// not start, a check could not run), the exception becomes a failed report with the seed, published like any
    /// other, so the campaign's table lists every scenario that ran.</summary>
    public static async Task<ScenarioReport> ReportingAbortsAsync(
        string name,
        int seed,
        Func<Task<ScenarioReport>> scenario
    )
    {
        try
        {
            return await scenario();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var report = new ScenarioReport(
                name,
                seed,
                0,
                0,
                0,
                0,
                TimeSpan.Zero,
                new LinearizabilityVerdict(0, 0, []),
                0,
                "-",
                0,
                [$"the scenario stopped before its checks: {e.GetType().Name}: {e.Message}"],
                []
            );
            Publish(report);
            return report;
        }
    }

    public static async Task<ScenarioReport> RunAsync(
        FaultCluster cluster,
        string name,
        int seed,
        Func<ScenarioContext, Task> faults,
        LoadShape? shape = null
    )
    {
        var load = new LoadDriver(cluster.ClientConfig, shape ?? LoadShape.Default, seed);
        var context = new ScenarioContext(cluster, seed, load.History);
        using var stop = new CancellationTokenSource();
        var started = HistoryRecorder.Now();
        var running = load.RunAsync(stop.Token);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            context.Step("faults begin");
            await faults(context);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            // The script could not go on (something it waited for never happened): a failure of the scenario, reported
            // with its seed and steps after the same checks as any other run.
            context.Problem($"the fault script stopped: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            context.Step("heal: every link up, every replica running");
            cluster.Network.Heal();
            foreach (var id in cluster.Layout.ReplicaIds().Where(id => !cluster.Runner.IsRunning(id)))
            {
                cluster.Runner.StartReplica(id);
            }
        }

        await WaitForServiceAsync(context, load.History);
        await stop.CancelAsync();
        await running;
        var ended = HistoryRecorder.Now();
        context.Step("load stopped");

        // A replica cut off long enough sits in a view of its own and follows the chain only from stable checkpoint
        // to stable checkpoint (see troubleshooting.md); on an idle cluster the next one never comes. An on-demand
        // checkpoint makes the primary fill the window with no-ops, so every replica ends on that boundary.
        var target =
            (await OperatorFaultScripts.SubmitAsync(context, Operator.OperatorCommandType.DbCheckpointCreate))
                ?.EffectiveAt
                .Value
            ?? 0;

        var convergedOn = "-";
        try
        {
            var statuses = await cluster.WaitConvergedAsync(target, TimeSpan.FromSeconds(120));
            await OperatorFaultScripts.ExpectCheckpointEverywhereAsync(context, target);
            convergedOn = $"block {statuses[0]!.LastBlockId}";
        }
        catch (TimeoutException e)
        {
            context.Problem(e.Message);
        }

        var history = load.History.Snapshot();
        var verdict = LinearizabilityChecker.Check(history);
        var (verified, checkpointFailures) = cluster.VerifyCheckpoints();
        foreach (var failure in checkpointFailures)
        {
            context.Problem("checkpoint does not verify: " + failure);
        }

        var report = new ScenarioReport(
            name,
            seed,
            history.Count,
            history.Count(o => o.Outcome == Outcome.Ok),
            history.Count(o => o.Outcome == Outcome.Fail),
            history.Count(o => o.Outcome == Outcome.Unknown),
            LongestUnavailability(history, started, ended),
            verdict,
            load.History.Origin,
            convergedOn,
            verified,
            context.Problems,
            context.Steps
        );
        Publish(report);
        return report;
    }

    /// <summary>After the heal the cluster must serve again: 20 more operations succeed within 2 minutes.</summary>
    private static async Task WaitForServiceAsync(ScenarioContext context, HistoryRecorder history)
    {
        var healed = HistoryRecorder.Now();
        var watch = Stopwatch.StartNew();
        while (history.Snapshot().Count(o => o.Outcome == Outcome.Ok && o.InvokedAt > healed) < 20)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(2))
            {
                context.Problem("the cluster did not serve 20 operations within 2 minutes of the heal");
                return;
            }

            await Task.Delay(200);
        }

        context.Step($"serving again {watch.Elapsed.TotalSeconds:0.0} s after the heal");
    }

    /// <summary>The longest stretch of the load in which no operation succeeded.</summary>
    private static TimeSpan LongestUnavailability(IReadOnlyList<Operation> history, long started, long ended)
    {
        var times = history
            .Where(o => o.Outcome == Outcome.Ok)
            .Select(o => o.CompletedAt)
            .Append(started)
            .Append(ended)
            .Order()
            .ToList();
        var longest = times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
        return TimeSpan.FromMilliseconds(longest / (double)HistoryRecorder.TicksPerMillisecond);
    }

    private static void Publish(ScenarioReport report)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(report.Describe());
        if (Environment.GetEnvironmentVariable("CAIRN_FAULTS_REPORT") is { Length: > 0 } path)
        {
            lock (ReportLock)
            {
                File.AppendAllLines(path, [report.MarkdownRow()]);
            }
        }
    }
}
