using System.Diagnostics.Metrics;
using Prometheus;

namespace Cairn.Node.Observability;

/// <summary>
/// Which .NET meters a replica exports at <c>/metrics</c> through prometheus-net's meter bridge: all but ASP.NET
/// Core's memory pool. Kestrel records a measurement on that meter for every buffer it rents and returns, several per
/// peer message, and the bridge's per-measurement lookups cost about 3 % of a replica's CPU under load for counters of
/// pooled bytes nobody alerts on (docs/benchmarks-history.md, "The memory pool's meter"). A meter nobody listens to
/// costs its instruments one check per measurement.
/// </summary>
public static class MeterExport
{
    /// <summary>The meter ASP.NET Core's memory pools (Kestrel's among them) record their rentals on.</summary>
    public const string MemoryPoolMeter = "Microsoft.AspNetCore.MemoryPool";

    /// <summary>Whether the replica exports <paramref name="instrument"/>.</summary>
    public static bool Exports(Instrument instrument) => instrument.Meter.Name != MemoryPoolMeter;

    /// <summary>Starts exporting the meters <see cref="Exports"/> accepts, until the result is disposed.</summary>
    public static IDisposable StartListening() =>
        MeterAdapter.StartListening(new MeterAdapterOptions { InstrumentFilterPredicate = Exports });
}
