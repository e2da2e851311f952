namespace Cairn.BenchReport;

/// <summary>Summaries of repeated timings.</summary>
internal static class Stats
{
    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
