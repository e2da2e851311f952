using System.Globalization;
using Cairn.Client;

namespace Cairn.FaultTests.History;

/// <summary>
/// Continuous client load for a scenario, shaped by a <see cref="LoadShape"/>: its sessions each run one operation
/// after another on its set of keys, half puts of a value unique to that operation (padded to the shape's value size),
/// half gets; all recorded in one history. Every random choice comes from the seed.
/// </summary>
public sealed class LoadDriver
{
    private readonly ClientConfig _config;
    private readonly LoadShape _shape;
    private readonly int _seed;

    public LoadDriver(ClientConfig config, LoadShape shape, int seed)
    {
        _config = config;
        _shape = shape;
        _seed = seed;
    }

    public HistoryRecorder History { get; } = new();

    /// <summary>Runs until <paramref name="stop"/> is cancelled; the operation in flight then is recorded as
    /// unknown.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(
            Enumerable
                .Range(1, _shape.Sessions)
                .Select(session => Task.Run(() => RunSessionAsync(session, stop), CancellationToken.None))
        );

    private async Task RunSessionAsync(int session, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(_seed, session));
        using var client = new RecordingClient(_config, session, History, _shape.ValueSize);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"key-{random.Next(_shape.Keys)}");
            if (random.Next(2) == 0)
            {
                await client.PutAsync(key, string.Create(CultureInfo.InvariantCulture, $"s{session}-{n}"), stop);
            }
            else
            {
                await client.GetAsync(key, stop);
            }
        }
    }
}
