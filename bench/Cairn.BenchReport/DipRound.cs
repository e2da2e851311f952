using System.Text.Json.Nodes;

namespace Cairn.BenchReport;

/// <summary>One round of bench/checkpoint-dip.sh: the same load without checkpoints and with one every second, and the
/// checkpoints replica 0 took during the second.</summary>
internal sealed record DipRound(int Round, JsonNode None, JsonNode EverySecond, JsonNode Checkpoints)
{
    public static double Throughput(JsonNode load) => (double)load["throughputPerSecond"]!;

    /// <summary>Seconds from the start of the checkpointing load to each checkpoint's creation (consensus time, the
    /// primary's clock on this same machine), for those taken while the load ran.</summary>
    public IReadOnlyList<double> CheckpointOffsets()
    {
        var start = (DateTimeOffset)EverySecond["startedAt"]!;
        var seconds = (double)EverySecond["seconds"]!;
        return
        [
            .. Checkpoints["checkpoints"]!
                .AsArray()
                .Where(c => (bool)c!["good"]!)
                .Select(c => ((DateTimeOffset)c!["createdAt"]! - start).TotalSeconds)
                .Where(s => s >= 0 && s <= seconds),
        ];
    }

    /// <summary>Throughput (requests/s) in each timeline interval, at the interval's middle (seconds from the
    /// start).</summary>
    public static (double[] Seconds, double[] PerSecond) Timeline(JsonNode load)
    {
        var intervalSeconds = (int)load["timelineIntervalMs"]! / 1000.0;
        var counts = load["timeline"]!.AsArray().Select(c => (double)c!).ToArray();
        return (
            [.. counts.Select((_, i) => (i + 0.5) * intervalSeconds)],
            [.. counts.Select(c => c / intervalSeconds)]
        );
    }
}
