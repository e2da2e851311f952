using System.Net;
using System.Net.Sockets;
using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.Client.Tests;

public sealed class BrokenConnectionTests
{
    [Fact]
    public async Task A_replica_that_drops_the_connection_fails_the_request_and_the_next_goes_on_a_new_connection()
    {
        // The replica behind this port died half-way: it accepts TCP connections and closes them at once. Replacing
        // a broken connection once waited for its loops to end, holding the session's lock: under `cairn load` every
        // session sending to a dead replica then blocked a thread-pool thread, and the process stalled for a minute
        // after a primary was killed (docs/benchmarks-history.md, "A client stalled by a dead replica").
        var dir = Directory.CreateTempSubdirectory("cairn-broken-connection-").FullName;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        var ct = TestContext.Current.CancellationToken;
        var dropping = Task.Run(
            async () =>
            {
                while (!ct.IsCancellationRequested)
                {
                    using var socket = await listener.AcceptSocketAsync(ct);
                    Interlocked.Increment(ref accepted);
                }
            },
            ct
        );
        try
        {
            var certificate = Path.Combine(dir, "replica-0_tls.crt");
            TlsCertificateFiles.CreateReplicaCertificate(0, "127.0.0.1", certificate, Path.Combine(dir, "key.pem"));
            var replica = new PeerEndpoint(
                new ReplicaId(0),
                "127.0.0.1",
                port,
                Path.Combine(dir, "pub.pem"),
                certificate
            );
            using var channel = GrpcChannel.ForAddress(replica.Address);
            using var session = new ReplicaSession(replica, new ClientApi.ClientApiClient(channel), 1 << 20);
            using var key = SigningKey.Generate();

            var first = () => session.SubmitAsync(ClientRequest.Create(1, 1, RequestFlags.None, [1], key), key, ct);
            (await first.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);

            // On a thread of its own: the old code blocked the caller itself.
            var second = () =>
                Task.Run(
                        () => session.SubmitAsync(ClientRequest.Create(1, 2, RequestFlags.None, [2], key), key, ct),
                        ct
                    )
                    .WaitAsync(TimeSpan.FromSeconds(60), ct);
            (await second.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
            Volatile.Read(ref accepted).Should().Be(2, "the second request went out on a new connection");
        }
        finally
        {
            listener.Stop();
            await dropping.ContinueWith(_ => { }, TaskScheduler.Default);
            Directory.Delete(dir, recursive: true);
        }
    }
}
