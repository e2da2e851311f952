using System.Text.Json.Nodes;

namespace Cairn.BenchReport;

/// <summary>One load bench/cluster.sh put on one system: the load generator's report and the CPU every process of the
/// system (servers and load generator) spent on it.</summary>
internal sealed record ClusterLoad(string System, int Clients, JsonNode Report, double CpuSeconds)
{
    public double PutsPerSecond => (double)Report["throughputPerSecond"]!;

    public double P50Ms => (double)Report["p50Ms"]!;

    public double P95Ms => (double)Report["p95Ms"]!;

    public double P99Ms => (double)Report["p99Ms"]!;

    public double MaxMs => (double)Report["maxMs"]!;

    public int Requests => (int)Report["requests"]!;

    public int ValueSize => (int)Report["valueSize"]!;

    /// <summary>CPU milliseconds per completed put, all processes together.</summary>
    public double CpuMsPerPut => CpuSeconds * 1000 / (int)Report["completed"]!;
}
