namespace Cairn.Client;

/// <summary>What a load run measured: completed and failed requests, throughput and latency percentiles.</summary>
public sealed record LoadReport(
    int Requests,
    int Completed,
    int Failed,
    int Clients,
    int ValueSize,
    double Seconds,
    double ThroughputPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    string? FirstError
)
{
    /// <summary>Requests given up, never sent or in flight, because the load stopped early: as many in a row as there
    /// are clients failed, with none completing in between.</summary>
    public int Unfinished { get; init; }

    /// <summary>The width of one <see cref="Timeline"/> interval.</summary>
    public int TimelineIntervalMs { get; init; } = 250;

    /// <summary>When the load started (wall clock), to line the timeline up with events such as checkpoints.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Requests completed in each consecutive <see cref="TimelineIntervalMs"/> from <see cref="StartedAt"/>:
    /// throughput over time, for plots (empty when the load generator does not sample).</summary>
    public IReadOnlyList<int> Timeline { get; init; } = [];
}
