using System.Diagnostics;
using System.Net.Http.Json;
using Cairn.Client;

namespace Cairn.Benchmarks.PeerLoad;

/// <summary>Concurrent etcd puts through the v3 JSON gateway, one request at a time per client, clients spread over
/// the endpoints; measured exactly like <see cref="LoadGenerator"/> measures Cairn.</summary>
internal static class EtcdLoad
{
    public static async Task<LoadReport> RunAsync(IReadOnlyList<string> endpoints, LoadOptions options)
    {
        options.Validate();
        var latencies = new double[options.Requests];
        var next = -1;
        var failed = 0;
        string? firstError = null;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var total = Stopwatch.StartNew();

        async Task ClientAsync(int client)
        {
            var endpoint = new Uri($"{endpoints[client % endpoints.Count].TrimEnd('/')}/v3/kv/put");
            var value = new byte[options.ValueSize];
            int index;
            while ((index = Interlocked.Increment(ref next)) < options.Requests)
            {
                Random.Shared.NextBytes(value); // as cairn load fills its values (src/Cairn.Client/LoadGenerator.cs)
                var body = new
                {
                    key = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"load/{client}/{index}")),
                    value = Convert.ToBase64String(value),
                };
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsJsonAsync(endpoint, body);
                    response.EnsureSuccessStatusCode();
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
                catch (HttpRequestException e)
                {
                    latencies[index] = double.NaN;
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(c => Task.Run(() => ClientAsync(c))));
        var seconds = total.Elapsed.TotalSeconds;
        var ok = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        return new LoadReport(
            options.Requests,
            ok.Length,
            failed,
            options.Clients,
            options.ValueSize,
            seconds,
            ok.Length / seconds,
            LoadGenerator.Percentile(ok, 0.50),
            LoadGenerator.Percentile(ok, 0.95),
            LoadGenerator.Percentile(ok, 0.99),
            ok.Length == 0 ? 0 : ok[^1],
            firstError
        );
    }
}
