// CPU per message round trip over TLS on loopback, in one process: a gRPC bidirectional stream through Kestrel's HTTP/2
// against length-prefixed frames on an SslStream over a socket, read by async loops (frames), by a connection
// middleware from Kestrel's pipes (kestrel-frames, the replicas' transport) or by threads that block in the read
// (thread-frames). Each of LOOPS connections sends one message of SIZE bytes and waits for it to come back, ROUNDS
// times; with one loop every message finds the threads asleep, as a replica's peer messages mostly do.
// docs/benchmarks-history.md ("Where a put's CPU goes", "Threads that block in the read") has the figures; run it also
// with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1.
// Usage: Cairn.TransportBench grpc|frames|kestrel-frames|thread-frames <loops> <rounds> <size>
using System.Diagnostics;
using System.Globalization;
using Cairn.TransportBench;

if (
    args.Length != 4
    || args[0] is not ("grpc" or "frames" or "kestrel-frames" or "thread-frames")
    || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var loops)
    || !int.TryParse(args[2], CultureInfo.InvariantCulture, out var rounds)
    || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var size)
    || loops < 1
    || rounds < 1
    || size < 0
)
{
    Console.Error.WriteLine(
        "usage: Cairn.TransportBench grpc|frames|kestrel-frames|thread-frames <loops ≥ 1> <rounds ≥ 1> <size ≥ 0>"
    );
    return 2;
}

using var certificate = SelfSigned.Create();
await using IEchoTransport transport = args[0] switch
{
    "grpc" => await GrpcEcho.StartAsync(certificate),
    "kestrel-frames" => await KestrelFramedEcho.StartAsync(certificate),
    "thread-frames" => ThreadFramedEcho.Start(certificate),
    _ => FramedEcho.Start(certificate),
};

// Warm-up (connections, JIT), then the measured rounds.
await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => transport.PingPongAsync(200, size)));
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var elapsed = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => transport.PingPongAsync(rounds, size)));
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
var total = (double)loops * rounds;
Console.WriteLine(
    string.Create(
        CultureInfo.InvariantCulture,
        $"{args[0]}: {total / elapsed.Elapsed.TotalSeconds:0} round trips/s, "
            + $"{cpu.TotalMicroseconds / total:0.0} us of CPU per round trip"
    )
);
return 0;
