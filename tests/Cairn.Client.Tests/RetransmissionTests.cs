using AwesomeAssertions;
using Cairn.ClientProtocol;

namespace Cairn.Client.Tests;

public sealed class RetransmissionTests : IAsyncLifetime
{
    private FakeReplicas _replicas = null!;

    public async ValueTask InitializeAsync()
    {
        _replicas = await FakeReplicas.StartAsync();
        // Every replica loses the first transmission (as requests in flight can be lost in a view change) and
        // answers the retransmission.
        _replicas.AnswerWhen = (_, transmission) =>
            transmission == 1 ? Task.Delay(Timeout.InfiniteTimeSpan) : Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _replicas.DisposeAsync();

    [Fact]
    public async Task A_request_without_a_quorum_after_the_retransmit_timeout_is_sent_to_every_replica_again()
    {
        var config = _replicas.Config with
        {
            RetransmitTimeout = TimeSpan.FromMilliseconds(300),
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        using var client = new CairnClient(config, session: 1);

        var reply = await client.SubmitAsync([4, 2], RequestFlags.None, TestContext.Current.CancellationToken);

        reply.Result.ToArray().Should().Equal(4, 2);
        Enumerable
            .Range(0, 4)
            .Count(r => _replicas.Transmissions(r, reply.RequestId) >= 2)
            .Should()
            .BeGreaterThanOrEqualTo(2, "f + 1 replicas answered only the retransmission");
    }

    [Fact]
    public async Task Without_a_retransmission_before_the_deadline_the_request_fails_naming_the_timeout()
    {
        var config = _replicas.Config with
        {
            RetransmitTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromMilliseconds(500),
        };
        using var client = new CairnClient(config, session: 1);

        var submit = () => client.SubmitAsync([1], RequestFlags.None, TestContext.Current.CancellationToken);

        (await submit.Should().ThrowAsync<ClusterUnavailableException>())
            .Which.Message.Should()
            .StartWith("no 2 matching replies within 0.5 s");
    }
}
