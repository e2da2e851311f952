using AwesomeAssertions;
using Cairn.ClientProtocol;

namespace Cairn.Client.Tests;

public sealed class SharedConnectionTests : IAsyncLifetime
{
    private FakeReplicas _replicas = null!;

    public async ValueTask InitializeAsync() => _replicas = await FakeReplicas.StartAsync();

    public async ValueTask DisposeAsync() => await _replicas.DisposeAsync();

    [Fact]
    public async Task Sessions_sharing_replica_channels_share_connections_even_past_100_concurrent_requests()
    {
        // Each replica answers only once all sessions' requests are open at once: more streams than the 100 Kestrel
        // allows on one connection, so this passes only if the channels open further connections when needed.
        const int sessions = 150;
        var open = Enumerable.Range(0, 4).Select(_ => new CountdownEvent(sessions)).ToArray();
        var allOpen = open.Select(c => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .ToArray();
        _replicas.AnswerWhen = (replica, _) =>
        {
            if (open[replica].Signal())
            {
                allOpen[replica].SetResult();
            }

            return allOpen[replica].Task;
        };
        var config = _replicas.Config with { RequestTimeout = TimeSpan.FromSeconds(20) };
        using var channels = new ReplicaChannels(config.Replicas);
        var clients = Enumerable.Range(1, sessions).Select(s => new CairnClient(config, channels, s)).ToList();

        var replies = await Task.WhenAll(
            clients.Select(c => c.SubmitAsync([1, 2, 3], RequestFlags.None, TestContext.Current.CancellationToken))
        );

        replies.Should().AllSatisfy(r => r.Result.ToArray().Should().Equal(1, 2, 3));
        for (var replica = 0; replica < 4; replica++)
        {
            // Two connections are needed for 150 streams; on a busy machine the handler may open a few more while
            // the first ones' HTTP/2 settings are on their way (a fresh-clone run saw more than 3): never one per
            // session.
            _replicas
                .Connections(replica)
                .Should()
                .BeInRange(2, 6, $"replica {replica} served {sessions} streams over shared connections");
        }

        clients.ForEach(c => c.Dispose());
        foreach (var countdown in open)
        {
            countdown.Dispose();
        }
    }

    [Fact]
    public async Task A_session_of_its_own_opens_one_connection_per_replica()
    {
        using var client = new CairnClient(_replicas.Config, session: 1);

        await client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);
        await client.SubmitAsync([8], RequestFlags.None, TestContext.Current.CancellationToken);

        Enumerable.Range(0, 4).Select(_replicas.Connections).Should().AllBeEquivalentTo(1);
    }
}
