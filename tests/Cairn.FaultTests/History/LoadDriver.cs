using System.Globalization;
using Cairn.Client;

namespace Cairn.FaultTests.History;

/// <summary>
/// Continuous client load for a scenario: <c>sessions</c> clients, each running one operation after another on a
/// small set of keys (so operations on a key overlap and a stale read would show), half puts of a value unique to
/// that operation, half gets; all recorded in one history. Every random choice comes from the seed.
/// </summary>
public sealed class LoadDriver
{
    private readonly ClientConfig _config;
    private readonly int _sessions;
    private readonly int _keys;
    private readonly int _seed;

    public LoadDriver(ClientConfig config, int sessions, int keys, int seed)
    {
        _config = config;
        _sessions = sessions;
        _keys = keys;
        _seed = seed;
    }

    public HistoryRecorder History { get; } = new();

    /// <summary>Runs until <paramref name="stop"/> is cancelled; the operation in flight then is recorded as unknown.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(1, _sessions).Select(session => Task.Run(() => RunSessionAsync(session, stop), CancellationToken.None)));

    private async Task RunSessionAsync(int session, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(_seed, session));
        using var client = new RecordingClient(_config, session, History);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"key-{random.Next(_keys)}");
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
