using Cairn.FaultTests.Cluster;
using Cairn.FaultTests.History;

namespace Cairn.FaultTests.Scenarios;

/// <summary>What a scenario's fault script works with: the cluster, its seeded random source, and a log of the steps
/// taken (printed with the seed when the scenario fails, so the run can be replayed).</summary>
internal sealed class ScenarioContext(FaultCluster cluster, int seed, HistoryRecorder history)
{
    private readonly List<string> _steps = [];
    private readonly List<string> _problems = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public FaultCluster Cluster => cluster;

    public Random Random { get; } = new(seed);

    /// <summary>The load's history so far.</summary>
    public HistoryRecorder History => history;

    public IReadOnlyList<string> Steps => _steps;

    /// <summary>What the script found wrong (beyond the checks every scenario gets).</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Records something the scenario found wrong; the run goes on so the report is complete.</summary>
    public void Problem(string what)
    {
        Step("PROBLEM: " + what);
        lock (_problems)
        {
            _problems.Add(what);
        }
    }

    /// <summary>Notes a step, with the time since the scenario began.</summary>
    public void Step(string what)
    {
        lock (_steps)
        {
            _steps.Add($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        }
    }

    /// <summary>The current primary, as the replica in the highest view reports it.</summary>
    public async Task<int> PrimaryAsync()
    {
        var statuses = await cluster.WaitForAsync(
            s => s.Any(x => x is not null && x.ViewActive),
            TimeSpan.FromSeconds(60),
            "a replica in an active view"
        );
        return statuses.Where(s => s is not null && s.ViewActive).MaxBy(s => s!.View)!.Primary;
    }

    /// <summary>How many operations invoked after <paramref name="from"/> (a <see cref="HistoryRecorder.Now"/> time)
    /// have succeeded so far.</summary>
    public int SucceededSince(long from) =>
        history.Snapshot().Count(o => o.Outcome == Outcome.Ok && o.InvokedAt > from);
}
