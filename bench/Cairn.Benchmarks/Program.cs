using System.Diagnostics;
using BenchmarkDotNet.Running;
using Cairn.Benchmarks;

// "--quick": a few seconds of Stopwatch timing instead of a full BenchmarkDotNet run (for a smoke check).
if (args is ["--quick", ..])
{
    foreach (var batchSize in new[] { 1, 64 })
    {
        var bench = new ReplicaBenchmarks { BatchSize = batchSize };
        bench.Setup();
        bench.OrderRequestsAtThePrimary();
        var watch = Stopwatch.StartNew();
        const int Rounds = 5;
        for (var i = 0; i < Rounds; i++)
        {
            bench.OrderRequestsAtThePrimary();
        }

        Console.WriteLine($"batch {batchSize}: {ReplicaBenchmarks.RequestsPerRound * Rounds / watch.Elapsed.TotalSeconds:N0} requests/s");
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ReplicaBenchmarks).Assembly).Run(args);
