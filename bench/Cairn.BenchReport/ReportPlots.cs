using ScottPlot;

namespace Cairn.BenchReport;

/// <summary>Renders the report's plots (ScottPlot, PNG) into one directory and gives the Markdown that shows
/// them.</summary>
internal sealed class ReportPlots(string directory, string relativeDirectory)
{
    private const int Width = 900;
    private const int Height = 420;

    public List<string> Written { get; } = [];

    /// <summary>Throughput over time of the same load without and with a checkpoint every second, with a vertical line
    /// at each checkpoint.</summary>
    public string ThroughputAcrossCheckpoints(DipRound round)
    {
        var plot = new Plot();
        var (noneX, noneY) = DipRound.Timeline(round.None);
        var (cpX, cpY) = DipRound.Timeline(round.EverySecond);
        noneY = MovingAverage(noneY, 4);
        cpY = MovingAverage(cpY, 4);
        var none = plot.Add.ScatterLine(noneX, noneY);
        none.LegendText = "no checkpoints";
        none.LineWidth = 1.5f;
        var withCheckpoints = plot.Add.ScatterLine(cpX, cpY);
        withCheckpoints.LegendText = "checkpoint every second";
        withCheckpoints.LineWidth = 1.5f;
        var first = true;
        foreach (var at in round.CheckpointOffsets())
        {
            var line = plot.Add.VerticalLine(at, 1, Colors.Gray, LinePattern.Dotted);
            if (first)
            {
                line.LegendText = "checkpoint taken (replica 0)";
                first = false;
            }
        }

        plot.Title(
            $"Client throughput over time, 4 replicas (round {round.Round}; 250 ms samples, 1 s moving average)"
        );
        plot.XLabel("seconds since the load started");
        plot.YLabel("puts/s");
        plot.Axes.SetLimitsY(0, Math.Max(noneY.DefaultIfEmpty(1).Max(), cpY.DefaultIfEmpty(1).Max()) * 1.1);
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, "throughput-across-checkpoints.png", "Throughput over time with and without checkpoints");
    }

    /// <summary>Checkpoint time against database size for Cairn, raw RocksDB and <c>cp -a</c>, log-scaled time
    /// axis.</summary>
    public string CheckpointTimeVsSize(IReadOnlyList<SizePoint> points)
    {
        var plot = new Plot();
        var x = points.Select(p => Math.Log10(p.Bytes / (double)(1L << 30))).ToArray();
        void Series(string name, Func<SizePoint, double> ms)
        {
            var series = plot.Add.Scatter(x, [.. points.Select(p => Math.Log10(ms(p)))]);
            series.LegendText = name;
            series.MarkerSize = 8;
        }

        Series("Cairn (DbCheckpointManager, take)", p => p.CairnMs);
        Series("RocksDB checkpoint call (RocksDbSharp)", p => p.RawMs);
        Series("cp -a", p => p.CpAMs);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var decade in new[] { 0, 1, 2, 3, 4, 5 })
        {
            ticks.AddMajor(decade, $"{Math.Pow(10, decade):N0} ms");
        }

        plot.Axes.Left.TickGenerator = ticks;
        var sizeTicks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var decade in new[] { -2, -1, 0, 1, 2 })
        {
            sizeTicks.AddMajor(decade, $"{Math.Pow(10, decade)} GiB");
        }

        plot.Axes.Bottom.TickGenerator = sizeTicks;
        plot.Title("Checkpoint creation time vs database size (median of repeats)");
        plot.XLabel("database size on disk (log scale)");
        plot.YLabel("time (log scale)");
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, "checkpoint-time-vs-size.png", "Checkpoint time vs database size");
    }

    /// <summary>Throughput, then p50 and p99 latency, of Cairn and etcd under the same load, as two bar
    /// charts.</summary>
    public string CairnVsEtcd(IReadOnlyList<(string Name, double PutsPerSecond, double P50, double P99)> systems)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var throughput = new Plot();
        var latency = new Plot();
        var latencyTicks = new List<Tick>();
        for (var i = 0; i < systems.Count; i++)
        {
            throughput.Add.Bar(
                new Bar
                {
                    Position = i,
                    Value = systems[i].PutsPerSecond,
                    FillColor = palette.GetColor(i),
                }
            );
            latency.Add.Bar(
                new Bar
                {
                    Position = i * 3,
                    Value = systems[i].P50,
                    FillColor = palette.GetColor(i),
                }
            );
            latency.Add.Bar(
                new Bar
                {
                    Position = (i * 3) + 1,
                    Value = systems[i].P99,
                    FillColor = palette.GetColor(i).WithAlpha(0.5),
                }
            );
            latencyTicks.Add(new Tick(i * 3, $"{systems[i].Name} p50"));
            latencyTicks.Add(new Tick((i * 3) + 1, "p99"));
        }

        throughput.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([
            .. systems.Select((s, i) => new Tick(i, s.Name)),
        ]);
        throughput.Title("Cairn vs etcd: throughput, same load");
        throughput.YLabel("puts/s");
        throughput.Axes.Margins(bottom: 0);
        latency.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. latencyTicks]);
        latency.Title("Cairn vs etcd: latency, same load");
        latency.YLabel("ms");
        latency.Axes.Margins(bottom: 0);
        return Save(throughput, "cairn-vs-etcd-throughput.png", "Cairn vs etcd throughput")
            + "\n"
            + Save(latency, "cairn-vs-etcd-latency.png", "Cairn vs etcd latency");
    }

    /// <summary>The mean of each value and the <paramref name="window"/> - 1 before it (fewer at the start).</summary>
    private static double[] MovingAverage(double[] values, int window) =>
        [.. values.Select((_, i) => values[Math.Max(0, i - window + 1)..(i + 1)].Average())];

    private string Save(Plot plot, string name, string alt)
    {
        var file = Path.Combine(directory, name);
        plot.SavePng(file, Width, Height);
        Written.Add(file);
        return Markdown(name, alt);
    }

    private string Markdown(string name, string alt) => $"![{alt}]({relativeDirectory}/{name})";
}
