using System.Diagnostics;
using BenchmarkDotNet.Running;
using Cairn.Benchmarks;

// "--quick": a few seconds of Stopwatch timing instead of a full BenchmarkDotNet run (for a smoke check).
if (args is ["--quick", ..])
{
    foreach (var (batchSize, hostVerifies) in new[] { (1, false), (64, false), (64, true) })
    {
        var bench = new ReplicaBenchmarks { BatchSize = batchSize, HostVerifiesClients = hostVerifies };
        bench.Setup();
        bench.OrderRequestsAtThePrimary();
        var watch = Stopwatch.StartNew();
        const int Rounds = 5;
        for (var i = 0; i < Rounds; i++)
        {
            bench.OrderRequestsAtThePrimary();
        }

        Console.WriteLine($"batch {batchSize}, client signatures checked by {(hostVerifies ? "host" : "replica")}: {ReplicaBenchmarks.RequestsPerRound * Rounds / watch.Elapsed.TotalSeconds:N0} requests/s");
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ReplicaBenchmarks).Assembly).Run(args);
