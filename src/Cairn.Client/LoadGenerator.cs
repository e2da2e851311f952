using System.Diagnostics;

namespace Cairn.Client;

/// <summary>Drives a cluster with concurrent client sessions, each sending one put at a time, and measures
/// throughput and latency as a user of the cluster sees them.</summary>
public static class LoadGenerator
{
    /// <summary>Runs the load; <paramref name="progress"/> hears the number of finished requests now and then.</summary>
    public static async Task<LoadReport> RunAsync(ClientConfig config, LoadOptions options, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        var latencies = new double[options.Requests];
        var next = -1;
        var failed = 0;
        string? firstError = null;
        var total = Stopwatch.StartNew();

        async Task SessionAsync(int session)
        {
            using var client = new CairnClient(config, session);
            var value = new byte[options.ValueSize];
            var random = new Random(session);
            int index;
            while ((index = Interlocked.Increment(ref next)) < options.Requests)
            {
                random.NextBytes(value);
                var key = System.Text.Encoding.ASCII.GetBytes($"load/{session}/{index}");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await client.PutAsync(key, value, cancellationToken).ConfigureAwait(false);
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
                catch (Exception e) when (e is ClusterUnavailableException or RequestRejectedException)
                {
                    latencies[index] = double.NaN;
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }

                if (index % 50 == 0)
                {
                    progress?.Report(index);
                }
            }
        }

        // Session 0 is left to interactive commands (cairn kv) so a load never races them for request ids.
        await Task.WhenAll(Enumerable.Range(1, options.Clients).Select(s => Task.Run(() => SessionAsync(s), cancellationToken))).ConfigureAwait(false);
        var seconds = total.Elapsed.TotalSeconds;
        progress?.Report(options.Requests);
        var ok = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        return new LoadReport(options.Requests, ok.Length, failed, options.Clients, options.ValueSize, seconds, ok.Length / seconds,
            Percentile(ok, 0.50), Percentile(ok, 0.95), Percentile(ok, 0.99), ok.Length == 0 ? 0 : ok[^1], firstError);
    }

    /// <summary>Nearest-rank percentile of sorted values (0 when there are none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
}
