using BenchmarkDotNet.Running;
using Cairn.Benchmarks;

if (args.FirstOrDefault() == "checkpoint-sizes")
{
    return CheckpointSizeRun.Run(args[1..]);
}

if (args.FirstOrDefault() == "finalise-sizes")
{
    return FinaliseSizeRun.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(LedgerAppendBenchmarks).Assembly).Run(args);
return 0;
