using System.Diagnostics;

namespace Cairn.Client;

/// <summary>Drives a cluster with concurrent client sessions, each sending one put at a time, and measures
/// throughput and latency as a user of the cluster sees them. When as many requests in a row as there are sessions
/// fail with none completing in between (a cluster that is down, or refuses every write), the load stops instead of
/// waiting out the request timeout for each of the rest, and gives up what is in flight; the count is
/// reported.</summary>
public static class LoadGenerator
{
    /// <summary>Runs the load; <paramref name="progress"/> hears the number of finished requests now and
    /// then.</summary>
    public static async Task<LoadReport> RunAsync(
        ClientConfig config,
        LoadOptions options,
        IProgress<int>? progress,
        CancellationToken cancellationToken
    )
    {
        options.Validate();
        var latencies = new double[options.Requests];
        Array.Fill(latencies, double.NaN); // NaN: failed, or given up when the load stopped early
        var completedAtMs = new double[options.Requests];
        var next = -1;
        var failed = 0;
        var failedInARow = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? firstError = null;
        var startedAt = DateTimeOffset.UtcNow;
        await using var channels = new ReplicaChannels(config.Replicas);
        var total = Stopwatch.StartNew();

        async Task SessionAsync(int session)
        {
            using var client = new CairnClient(config, channels, session);
            var value = new byte[options.ValueSize];
            int index;
            // The streak is checked before each request as well as the stop: once it is reached no session starts
            // another, so at most one more failure per other session can follow it.
            while (
                Volatile.Read(ref failedInARow) < options.Clients
                && !stop.IsCancellationRequested
                && (index = Interlocked.Increment(ref next)) < options.Requests
            )
            {
                // Random.Shared, not a seeded Random: a seeded one draws on .NET's old generator, which cost
                // the load generator about 3 % of its CPU per put at 1 KiB.
                Random.Shared.NextBytes(value);
                var key = System.Text.Encoding.ASCII.GetBytes($"load/{session}/{index}");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await client.PutAsync(key, value, stop.Token).ConfigureAwait(false);
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    completedAtMs[index] = total.Elapsed.TotalMilliseconds;
                    Volatile.Write(ref failedInARow, 0);
                }
                catch (Exception e) when (e is ClusterUnavailableException or RequestRejectedException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                    if (Interlocked.Increment(ref failedInARow) >= options.Clients)
                    {
                        await stop.CancelAsync().ConfigureAwait(false); // what is in flight is given up
                    }
                }
                catch (OperationCanceledException)
                    when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    break; // the load stopped early: this request is not counted as failed
                }

                if (index % 50 == 0)
                {
                    progress?.Report(index);
                }
            }
        }

        // Session 0 is left to interactive commands (cairn kv) so a load never races them for request ids.
        await Task.WhenAll(
                Enumerable.Range(1, options.Clients).Select(s => Task.Run(() => SessionAsync(s), cancellationToken))
            )
            .ConfigureAwait(false);
        var seconds = total.Elapsed.TotalSeconds;
        progress?.Report(options.Requests);
        var ok = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        var report = new LoadReport(
            options.Requests,
            ok.Length,
            failed,
            options.Clients,
            options.ValueSize,
            seconds,
            ok.Length / seconds,
            Percentile(ok, 0.50),
            Percentile(ok, 0.95),
            Percentile(ok, 0.99),
            ok.Length == 0 ? 0 : ok[^1],
            firstError
        )
        {
            StartedAt = startedAt,
            Unfinished = options.Requests - ok.Length - failed,
        };
        return report with
        {
            Timeline = CompletionsPerInterval(
                completedAtMs.Where((_, i) => !double.IsNaN(latencies[i])),
                seconds * 1000,
                report.TimelineIntervalMs
            ),
        };
    }

    /// <summary>How many of the completion times (ms since the start) fall in each interval of a run of
    /// <paramref name="runMs"/>; the last interval may be partial.</summary>
    public static int[] CompletionsPerInterval(IEnumerable<double> completedAtMs, double runMs, int intervalMs)
    {
        var counts = new int[Math.Max(1, (int)Math.Ceiling(runMs / intervalMs))];
        foreach (var at in completedAtMs)
        {
            counts[Math.Clamp((int)(at / intervalMs), 0, counts.Length - 1)]++;
        }

        return counts;
    }

    /// <summary>Nearest-rank percentile of sorted values (0 when there are none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
}
