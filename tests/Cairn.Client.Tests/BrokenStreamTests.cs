using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Client.Tests;

public sealed class BrokenStreamTests
{
    [Fact]
    public async Task A_broken_stream_that_is_slow_to_wind_down_does_not_hold_up_the_next_request()
    {
        // The replica behind this invoker died: writing to its stream fails, and reading from it never ends, whatever
        // the cancellation (as a call to a dead replica can take a while to notice it). Replacing the broken stream
        // used to wait for its loops to end, holding the session's lock: under `cairn load` every session sending to
        // the dead replica then blocked a thread-pool thread, and the process stalled for a minute after a primary
        // was killed (docs/benchmarks-history.md, "A client stalled by a dead replica").
        var invoker = new DeadReplicaInvoker();
        using var session = new ReplicaSession(new ClientApi.ClientApiClient(invoker));
        using var key = SigningKey.Generate();
        var ct = TestContext.Current.CancellationToken;

        var first = () => session.SubmitAsync(ClientRequest.Create(1, 1, RequestFlags.None, [1], key), ct);
        (await first.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);

        // On a thread of its own: the old code blocked the caller itself.
        var second = () =>
            Task.Run(() => session.SubmitAsync(ClientRequest.Create(1, 2, RequestFlags.None, [2], key), ct), ct)
                .WaitAsync(TimeSpan.FromSeconds(60), ct);
        (await second.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
        invoker.SessionsOpened.Should().Be(2, "the second request went out on a new stream");
    }

    /// <summary>Opens Session calls whose writes fail and whose reads never end.</summary>
    private sealed class DeadReplicaInvoker : CallInvoker
    {
        private int _sessionsOpened;

        public int SessionsOpened => Volatile.Read(ref _sessionsOpened);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            string? host,
            CallOptions options
        )
        {
            Interlocked.Increment(ref _sessionsOpened);
            return new AsyncDuplexStreamingCall<TRequest, TResponse>(
                new FailingWriter<TRequest>(),
                new EndlessReader<TResponse>(),
                Task.FromResult(new Metadata()),
                () => Status.DefaultSuccess,
                () => [],
                () => { }
            );
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            string? host,
            CallOptions options,
            TRequest request
        ) => throw new NotSupportedException();

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            string? host,
            CallOptions options,
            TRequest request
        ) => throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            string? host,
            CallOptions options,
            TRequest request
        ) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            string? host,
            CallOptions options
        ) => throw new NotSupportedException();
    }

    private sealed class FailingWriter<T> : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message) =>
            throw new RpcException(new Status(StatusCode.Unavailable, "the replica is gone"));

        public Task CompleteAsync() => Task.CompletedTask;
    }

    private sealed class EndlessReader<T> : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException("nothing was read");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => new TaskCompletionSource<bool>().Task;
    }
}
