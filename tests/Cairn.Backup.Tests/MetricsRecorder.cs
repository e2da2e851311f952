using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cairn.Backup.Tests;

/// <summary>Records the measurements of one meter instance (other tests' meters share the name, not the
/// instance).</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements =
        new();

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public double Sum(string name, string? tag = null, string? value = null) =>
        _measurements
            .Where(m => m.Name == name && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value)))
            .Sum(m => m.Value);

    public int Count(string name) => _measurements.Count(m => m.Name == name);

    /// <summary>The latest value of an observable gauge, observed now.</summary>
    public double? Gauge(string name)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Where(m => m.Name == name).Select(m => (double?)m.Value).LastOrDefault();
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (var (k, v) in tags)
        {
            map[k] = v;
        }

        _measurements.Enqueue((instrument.Name, value, map));
    }
}
