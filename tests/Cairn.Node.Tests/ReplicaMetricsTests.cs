using System.Globalization;
using System.Text.RegularExpressions;
using AwesomeAssertions;
using Cairn.Core;
using Cairn.Node.Observability;
using Prometheus;

namespace Cairn.Node.Tests;

/// <summary>The consensus metrics are scraped under the names and types docs/metrics.md gives them, and each call
/// moves the series it names. The registry is the process's, shared with the other tests' hosts: values are compared
/// before and after, with no other test running meanwhile (<see cref="SharedRegistry"/>).</summary>
[Collection(nameof(SharedRegistry))]
public sealed partial class ReplicaMetricsTests
{
    /// <summary>Tests that read prometheus-net's process-wide registry run alone, so no other test's host moves the
    /// series between their two readings.</summary>
    [CollectionDefinition(nameof(SharedRegistry), DisableParallelization = true)]
    public sealed class SharedRegistry;

    private static readonly string[] DocRows = File.ReadAllLines(
        Path.Combine(AppContext.BaseDirectory, "docs", "metrics.md")
    );

    [Fact]
    public async Task Every_consensus_metric_in_the_docs_is_scraped_with_its_documented_type()
    {
        // Creating the metrics registers every family: its # TYPE line is scraped before anything is recorded.
        _ = new ReplicaMetrics();
        var scraped = await ScrapeAsync();

        var documented = DocRows
            .Select(row => DocumentedRow().Match(row))
            .Where(match => match.Success)
            .Select(match => (Name: match.Groups[1].Value, Type: match.Groups[2].Value))
            .ToList();
        documented.Should().HaveCount(13, "docs/metrics.md lists the thirteen consensus metrics");
        foreach (var (name, type) in documented)
        {
            scraped.Should().Contain($"# TYPE {name} {type}\n", $"docs/metrics.md documents {name} as a {type}");
        }
    }

    [Fact]
    public async Task Each_call_moves_the_series_it_names()
    {
        var metrics = new ReplicaMetrics();
        var before = await ScrapeAsync();
        metrics.BatchExecuted(3, TimeSpan.FromMilliseconds(2));
        metrics.RequestAdmitted(signatureChecked: false);
        metrics.PeerMessageDropped("bad_signature");
        metrics.PeerMessagesUnsent(new ReplicaId(3), "peer_unreachable", 4);
        metrics.RequestAnswered(TimeSpan.FromMilliseconds(15));
        var after = await ScrapeAsync();

        Moved("cairn_consensus_batches_executed").Should().Be(1);
        Moved("cairn_consensus_requests_executed").Should().Be(3);
        Moved("cairn_consensus_batch_execute_seconds_count").Should().Be(1);
        Moved("cairn_consensus_client_requests_admitted{by=\"session\"}").Should().Be(1);
        Moved("cairn_consensus_peer_messages_dropped{reason=\"bad_signature\"}").Should().Be(1);
        Moved("cairn_consensus_peer_messages_unsent{peer=\"3\",reason=\"peer_unreachable\"}").Should().Be(4);
        // 15 ms falls in the bucket up to 20 ms, not in the one up to 10 ms: the buckets double from 10 ms.
        Moved("cairn_consensus_client_request_seconds_bucket{le=\"0.01\"}").Should().Be(0);
        Moved("cairn_consensus_client_request_seconds_bucket{le=\"0.02\"}").Should().Be(1);
        after.Should().Contain("cairn_consensus_client_request_seconds_bucket{le=\"167772.16\"}");

        metrics.ViewEntered(new ViewNum(7));
        metrics.Progress(new SeqNum(40), new BlockId(39), epoch: 2);
        var gauges = await ScrapeAsync();
        Value(gauges, "cairn_consensus_view").Should().Be(7);
        Value(gauges, "cairn_consensus_last_executed_seq").Should().Be(40);
        Value(gauges, "cairn_consensus_last_block_id").Should().Be(39);
        Value(gauges, "cairn_consensus_epoch").Should().Be(2);

        double Moved(string series) => Value(after, series) - Value(before, series);
    }

    private static async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The series' value, 0 when it is not scraped (a labelled counter before its first increment).</summary>
    private static double Value(string scraped, string series)
    {
        var line = scraped.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\| `(cairn_consensus_[a-z_]+)` \| (counter|gauge|histogram)\b")]
    private static partial Regex DocumentedRow();
}
