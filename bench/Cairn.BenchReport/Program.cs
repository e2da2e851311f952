// Writes docs/benchmarks.md and its plots from the raw results of bench/run-all.sh; every figure in the report comes
// from the results directory, nothing is typed in by hand.
using Cairn.BenchReport;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Cairn.BenchReport RESULTS_DIR REPORT.md PLOTS_DIR \"COMMAND\"");
    return 2;
}

var results = BenchResults.Load(args[0]);
Directory.CreateDirectory(args[2]);
var plots = new ReportPlots(
    args[2],
    Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(args[1]))!, Path.GetFullPath(args[2]))
);
File.WriteAllText(args[1], BenchmarkReport.Write(results, plots, args[3]));
Console.WriteLine($"wrote {args[1]} and {plots.Written.Count} plots in {args[2]}");
return 0;
