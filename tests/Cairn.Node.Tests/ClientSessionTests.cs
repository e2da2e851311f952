using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Tests;

/// <summary>
/// A client process's <c>ClientApi.Session</c> stream on a replica (its peers are not running, so nothing is ordered:
/// what is under test is admission on the stream): every request of a frame gets its own answer, routed by its client
/// and request ids, and a refusal ends neither the stream nor the other requests' answers; something that is not a
/// request ends the stream with the reason.
/// </summary>
public sealed class ClientSessionTests(ReplicaUnderTest replica) : IClassFixture<ReplicaUnderTest>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ulong Client = ClientIdentity.ClientId(keyIndex: 1, session: 7);

    [Fact]
    public async Task Each_refused_request_of_a_frame_gets_its_own_refusal_and_the_stream_stays_open()
    {
        using var clientKey = KeyFiles.LoadSigningKey(replica.Layout.ClientPrivateKey);
        using var otherKey = SigningKey.Generate();
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), ownCertificate: null);
        using var call = new ClientApi.ClientApiClient(channel).Session(cancellationToken: Ct);

        var unknownClient = ClientIdentity.ClientId(keyIndex: 5, session: 1);
        await call.RequestStream.WriteAsync(
            new SessionRequests
            {
                Requests =
                {
                    Encoded(Request(Client, 1, [1], otherKey)),
                    Encoded(Request(unknownClient, 2, [2], clientKey)),
                    Encoded(Request(Client, 3, new byte[70 * 1024], clientKey)),
                },
            },
            Ct
        );
        var first = await ReadAnswersAsync(call, 3);
        await call.RequestStream.WriteAsync(
            new SessionRequests { Requests = { Encoded(Request(Client, 4, [4], otherKey)) } },
            Ct
        );
        var second = await ReadAnswersAsync(call, 1);

        first[(Client, 1)]
            .Should()
            .Be((StatusCode.InvalidArgument, $"the request is not signed by the key of client {Client}"));
        first[(unknownClient, 2)]
            .Should()
            .Be((StatusCode.InvalidArgument, $"client id {unknownClient} is not one this cluster knows"));
        first[(Client, 3)].Code.Should().Be(StatusCode.InvalidArgument);
        first[(Client, 3)].Reason.Should().Contain("max_request_size of 65536 bytes");
        second.Keys.Should().Equal((Client, 4UL));
    }

    [Fact]
    public async Task A_frame_entry_that_is_not_a_request_ends_the_stream_with_the_reason()
    {
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), ownCertificate: null);
        using var call = new ClientApi.ClientApiClient(channel).Session(cancellationToken: Ct);

        await call.RequestStream.WriteAsync(
            new SessionRequests { Requests = { ByteString.CopyFrom([0xFF, 0x00, 0x01]) } },
            Ct
        );

        var read = () => call.ResponseStream.MoveNext(Ct);
        var refused = (await read.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
        refused.Status.Detail.Should().StartWith("not a client request");
    }

    private static ClientRequest Request(ulong client, ulong id, byte[] value, SigningKey key) =>
        ClientRequest.Create(client, id, RequestFlags.None, KvOperation.Put([1], value).Encode(), key);

    private static ByteString Encoded(ClientRequest request) => ByteString.CopyFrom(request.Encoded);

    private static async Task<Dictionary<(ulong, ulong), (StatusCode Code, string Reason)>> ReadAnswersAsync(
        AsyncDuplexStreamingCall<SessionRequests, SessionReplies> call,
        int count
    )
    {
        var answers = new Dictionary<(ulong, ulong), (StatusCode, string)>();
        while (answers.Count < count && await call.ResponseStream.MoveNext(Ct))
        {
            foreach (var answer in call.ResponseStream.Current.Replies)
            {
                answers[(answer.ClientId, answer.RequestId)] = ((StatusCode)answer.RefusalCode, answer.Refusal);
            }
        }

        return answers;
    }
}
