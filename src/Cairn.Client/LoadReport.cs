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
    string? FirstError);
