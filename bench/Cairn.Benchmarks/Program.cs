using BenchmarkDotNet.Running;
using Cairn.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(LedgerAppendBenchmarks).Assembly).Run(args);
