using AwesomeAssertions;

namespace Cairn.Client.Tests;

/// <summary>A load against a cluster that answers nothing, or refuses everything, stops instead of waiting out every
/// request's timeout.</summary>
public sealed class LoadGeneratorTests : IAsyncLifetime
{
    private const int Requests = 1_000;
    private const int Clients = 4;
    private FakeReplicas _replicas = null!;

    public async ValueTask InitializeAsync() => _replicas = await FakeReplicas.StartAsync();

    public async ValueTask DisposeAsync() => await _replicas.DisposeAsync();

    // A short request timeout where nothing answers; a long one where refusals come at once, so that a slow first
    // connection on a busy machine cannot turn a refusal into a timeout.
    private Task<LoadReport> RunAsync(TimeSpan requestTimeout) =>
        LoadGenerator.RunAsync(
            _replicas.Config with
            {
                RetransmitTimeout = requestTimeout / 2,
                RequestTimeout = requestTimeout,
            },
            new LoadOptions(Requests, Clients, ValueSize: 16),
            progress: null,
            TestContext.Current.CancellationToken
        );

    [Fact]
    public async Task A_load_no_replica_answers_stops_once_every_client_failed_and_reports_what_it_gave_up()
    {
        _replicas.AnswerWhen = (_, _) => Task.Delay(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken);

        var report = await RunAsync(TimeSpan.FromMilliseconds(400));

        report.Completed.Should().Be(0);
        report.Failed.Should().BeInRange(Clients, (2 * Clients) - 1, "what is in flight at the stop is given up");
        report.Unfinished.Should().Be(Requests - report.Failed);
        report.FirstError.Should().StartWith("no 2 matching replies within 0.4 s");
    }

    [Fact]
    public async Task A_load_every_replica_refuses_stops_the_same_way()
    {
        _replicas.RefuseWith = (_, _) => "the cluster is wedged at seq 300";

        var report = await RunAsync(TimeSpan.FromSeconds(30));

        report.Completed.Should().Be(0);
        report.Failed.Should().BeInRange(Clients, (2 * Clients) - 1);
        report.Unfinished.Should().Be(Requests - report.Failed);
        report.FirstError.Should().Be("the cluster is wedged at seq 300");
    }
}
