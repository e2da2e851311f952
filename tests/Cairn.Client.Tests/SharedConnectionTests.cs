using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Protocol.Transport;

namespace Cairn.Client.Tests;

public sealed class SharedConnectionTests : IAsyncLifetime
{
    private FakeReplicas _replicas = null!;

    public async ValueTask InitializeAsync() => _replicas = await FakeReplicas.StartAsync();

    public async ValueTask DisposeAsync() => await _replicas.DisposeAsync();

    [Fact]
    public async Task Sessions_sharing_replica_channels_send_all_their_requests_on_one_connection_per_replica()
    {
        // Each replica answers only once every session's request is in: more requests at once than the 100 streams
        // Kestrel allows on one connection, so a call per request would need further connections.
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
        // The client returns on f+1 replies: wait until the other replicas have every request too.
        await WaitUntilAsync(() => Enumerable.Range(0, 4).All(r => _replicas.TotalTransmissions(r) >= sessions));
        for (var replica = 0; replica < 4; replica++)
        {
            _replicas.Connections(replica).Should().Be(1, $"replica {replica} served {sessions} sessions");
            _replicas.Calls(replica, "Session").Should().Be(1, $"replica {replica} served {sessions} sessions");
            _replicas.Calls(replica, "Submit").Should().Be(0);
        }

        clients.ForEach(c => c.Dispose());
        foreach (var countdown in open)
        {
            countdown.Dispose();
        }
    }

    [Fact]
    public async Task Closing_the_channels_lets_every_replica_end_its_session_connection_instead_of_resetting_it()
    {
        using var channels = new ReplicaChannels(_replicas.Config.Replicas);
        using var client = new CairnClient(_replicas.Config, channels, session: 1);
        await client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);
        // The client returns on f+1 replies: every replica has a session connection open once all have the request.
        await WaitUntilAsync(() => Enumerable.Range(0, 4).All(r => _replicas.TotalTransmissions(r) >= 1));

        // Each replica ends its call only once told that no more requests come; a reset would not count.
        var ended = await channels.CloseSessionsAsync(TimeSpan.FromMinutes(1));

        ended.Should().Be(4);
    }

    [Fact]
    public async Task A_request_sent_while_a_connection_is_being_closed_goes_on_a_new_one()
    {
        // Replica 3 holds its answer to the first request, so its connection stays open while being closed.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = true;
        _replicas.AnswerWhen = (replica, _) =>
            replica == 3 && Volatile.Read(ref holding) ? held.Task : Task.CompletedTask;
        using var channels = new ReplicaChannels(_replicas.Config.Replicas);
        using var client = new CairnClient(_replicas.Config, channels, session: 1);
        var token = TestContext.Current.CancellationToken;
        await client.SubmitAsync([7], RequestFlags.None, token);
        await WaitUntilAsync(() => _replicas.TotalTransmissions(3) >= 1);
        var closing = channels.CloseSessionsAsync(TimeSpan.FromMinutes(1));
        Volatile.Write(ref holding, false);

        // Written into the closing connection, it would wait there behind the held answer and never reach replica 3.
        var second = await client.SubmitAsync([8], RequestFlags.None, token);
        await WaitUntilAsync(() => _replicas.Transmissions(3, second.RequestId) >= 1);

        _replicas.Calls(3, "Session").Should().Be(2);
        held.SetResult();
        await closing;
    }

    [Fact]
    public async Task A_client_with_connections_of_its_own_closes_its_session_connections_when_disposed_asynchronously()
    {
        await using (var client = new CairnClient(_replicas.Config, session: 1))
        {
            await client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);
            await WaitUntilAsync(() => Enumerable.Range(0, 4).All(r => _replicas.TotalTransmissions(r) >= 1));
        }

        // A reset (what the synchronous Dispose does) ends no replica's connection as closed by the client.
        await WaitUntilAsync(() => Enumerable.Range(0, 4).All(r => _replicas.Calls(r, "SessionEnded") == 1));
    }

    [Fact]
    public async Task A_session_of_its_own_opens_one_connection_per_replica()
    {
        using var client = new CairnClient(_replicas.Config, session: 1);

        var first = await client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);
        var second = await client.SubmitAsync([8], RequestFlags.None, TestContext.Current.CancellationToken);
        // The client returns on f+1 replies: wait until the other replicas have the requests too.
        await WaitUntilAsync(() =>
            Enumerable
                .Range(0, 4)
                .All(r =>
                    _replicas.Transmissions(r, first.RequestId) + _replicas.Transmissions(r, second.RequestId) == 2
                )
        );

        Enumerable.Range(0, 4).Select(_replicas.Connections).Should().AllBeEquivalentTo(1);
    }

    [Fact]
    public async Task A_request_too_large_for_the_session_connection_takes_a_grpc_call_of_its_own()
    {
        using var client = new CairnClient(_replicas.Config, session: 1);
        var large = new byte[ClientSessionLimits.LargestOnSession];
        Random.Shared.NextBytes(large);

        var small = await client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);
        var reply = await client.SubmitAsync(large, RequestFlags.None, TestContext.Current.CancellationToken);

        small.Result.ToArray().Should().Equal(7);
        reply.Result.ToArray().Should().Equal(large);
        for (var replica = 0; replica < 4; replica++)
        {
            _replicas.Calls(replica, "Submit").Should().BeLessThanOrEqualTo(1);
            // The session connection, and the gRPC one where the large request went.
            _replicas.Connections(replica).Should().Be(1 + _replicas.Calls(replica, "Submit"));
        }

        Enumerable.Range(0, 4).Sum(r => _replicas.Calls(r, "Submit")).Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task When_a_replica_breaks_the_connection_the_waiting_request_is_sent_again_on_a_new_one()
    {
        // Replicas 2 and 3 never answer; replica 0 fails its first answer with an error that ends its connection, so
        // the request is answered (by 0 and 1) only if the client opens a new connection to replica 0 and sends it
        // again.
        var never = new TaskCompletionSource();
        _replicas.AnswerWhen = (replica, transmission) =>
            replica switch
            {
                0 when transmission == 1 => Task.FromException(new InvalidOperationException("connection lost")),
                >= 2 => never.Task,
                _ => Task.CompletedTask,
            };
        using var client = new CairnClient(_replicas.Config, session: 1);

        var reply = await client.SubmitAsync([9], RequestFlags.None, TestContext.Current.CancellationToken);

        reply.Result.ToArray().Should().Equal(9);
        _replicas.Calls(0, "Session").Should().Be(2);
        _replicas.Transmissions(0, reply.RequestId).Should().Be(2);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
