using System.Buffers.Binary;
using System.Globalization;
using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Node.Services;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Cairn.Protocol.Transport;
using Grpc.Core;

namespace Cairn.Node.Tests;

/// <summary>
/// A client process's session connection to a replica (its peers are not running, so nothing is ordered: what is under
/// test is admission on the connection): every request gets its own answer, routed by its client and request ids, and
/// a refusal ends neither the connection nor the other requests' answers; something that is not a request, or a length
/// over the connection's limit, closes it after an answer that names no request and says why.
/// </summary>
public sealed class ClientSessionTests(ReplicaUnderTest replica) : IClassFixture<ReplicaUnderTest>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ulong Client = ClientIdentity.ClientId(keyIndex: 1, session: 7);

    [Fact]
    public async Task Each_refused_request_gets_its_own_refusal_and_the_connection_stays_open()
    {
        using var clientKey = KeyFiles.LoadSigningKey(replica.Layout.ClientPrivateKey);
        using var otherKey = SigningKey.Generate();
        await using var connection = await TestSessionConnection.OpenAsync(replica, Ct);

        var unknownClient = ClientIdentity.ClientId(keyIndex: 5, session: 1);
        await connection.SendAsync(
            Ct,
            Request(Client, 1, [1], otherKey).Encoded.ToArray(),
            Request(unknownClient, 2, [2], clientKey).Encoded.ToArray(),
            Request(Client, 3, new byte[70 * 1024], clientKey).Encoded.ToArray()
        );
        var first = await ReadAnswersAsync(connection, 3);
        await connection.SendAsync(Ct, Request(Client, 4, [4], otherKey).Encoded.ToArray());
        var second = await ReadAnswersAsync(connection, 1);

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
    public async Task The_primary_checks_every_signature_on_a_session_whose_key_is_proven()
    {
        // Replica 0 is the primary of view 0: it proposes only requests any replica can verify, so a proven key's
        // badly signed request is refused as on any other connection (a backup takes it: SessionProofTests).
        using var clientKey = KeyFiles.LoadSigningKey(replica.Layout.ClientPrivateKey);
        using var otherKey = SigningKey.Generate();
        await using var connection = await TestSessionConnection.OpenAsync(replica, Ct);
        var challenge = await connection.ReadChallengeAsync(Ct);

        await connection.SendAsync(
            Ct,
            SessionProof.Create(1, replicaId: 0, challenge, clientKey).Encode(),
            Request(Client, 1, [1], otherKey).Encoded.ToArray()
        );

        (await ReadAnswersAsync(connection, 1))[(Client, 1)]
            .Should()
            .Be((StatusCode.InvalidArgument, $"the request is not signed by the key of client {Client}"));
    }

    [Fact]
    public async Task A_client_that_ends_its_side_gets_its_answers_and_then_the_replica_closes_the_connection()
    {
        using var otherKey = SigningKey.Generate();
        await using var connection = await TestSessionConnection.OpenAsync(replica, Ct);

        await connection.SendAsync(Ct, Request(Client, 1, [1], otherKey).Encoded.ToArray());
        await connection.EndAsync();

        // A replica that kept the connection open would leave the client waiting, then resetting it.
        var answers = await ReadUntilClosedAsync(connection).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        answers.Should().ContainSingle().Which.RequestId.Should().Be(1);
    }

    [Fact]
    public async Task A_frame_that_is_not_a_request_closes_the_connection_with_the_reason()
    {
        using var otherKey = SigningKey.Generate();
        await using var connection = await TestSessionConnection.OpenAsync(replica, Ct);

        await connection.SendAsync(Ct, Request(Client, 1, [1], otherKey).Encoded.ToArray(), [0xFF, 0x00, 0x01]);

        var answers = await ReadUntilClosedAsync(connection);
        answers.Should().HaveCount(2, "the request before it is answered, then the reason, then the end");
        answers[0].RequestId.Should().Be(1);
        answers[1].ClientId.Should().Be(0);
        answers[1].RequestId.Should().Be(0);
        ((StatusCode)answers[1].RefusalCode).Should().Be(StatusCode.InvalidArgument);
        answers[1].Refusal.Should().Be("not a client request (starts with 0xff, not the client-request tag 0x40)");
    }

    [Fact]
    public async Task A_length_over_the_connections_limit_closes_it_before_the_message_is_sent()
    {
        await using var connection = await TestSessionConnection.OpenAsync(replica, Ct);

        // Only the length: the replica must refuse it without waiting for (or buffering) what it announces.
        var header = new byte[Frames.HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, ClientSessionLimits.LargestOnSession + 1);
        await connection.SendRawAsync(header, Ct);

        var answers = await ReadUntilClosedAsync(connection);
        answers.Should().ContainSingle();
        ((StatusCode)answers[0].RefusalCode).Should().Be(StatusCode.InvalidArgument);
        answers[0]
            .Refusal.Should()
            .Contain(ClientSessionLimits.LargestOnSession.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task One_address_holds_a_bounded_number_of_session_connections()
    {
        using var otherKey = SigningKey.Generate();
        var open = new List<TestSessionConnection>();
        try
        {
            for (var i = 0; i < ClientSessionListener.MaxConnectionsPerAddress; i++)
            {
                open.Add(await TestSessionConnection.OpenAsync(replica, Ct));
            }

            // Each of those is served: a request on the last one is answered.
            await open[^1].SendAsync(Ct, Request(Client, 1, [1], otherKey).Encoded.ToArray());
            (await ReadAnswersAsync(open[^1], 1)).Keys.Should().Equal((Client, 1UL));

            await using (var excess = await TestSessionConnection.OpenAsync(replica, Ct))
            {
                // A replica that served it would leave it open, waiting for requests.
                var answers = await ReadUntilClosedAsync(excess).WaitAsync(TimeSpan.FromSeconds(60), Ct);
                answers.Should().ContainSingle();
                answers[0].RequestId.Should().Be(0);
                ((StatusCode)answers[0].RefusalCode).Should().Be(StatusCode.ResourceExhausted);
                answers[0]
                    .Refusal.Should()
                    .Contain($"holds {ClientSessionListener.MaxConnectionsPerAddress} session connections");
            }

            // A connection that ends gives its place back.
            await open[0].EndAsync();
            (await ReadUntilClosedAsync(open[0])).Should().BeEmpty();
            await open[0].DisposeAsync();
            open[0] = await TestSessionConnection.OpenAsync(replica, Ct);
            await open[0].SendAsync(Ct, Request(Client, 2, [2], otherKey).Encoded.ToArray());
            (await ReadAnswersAsync(open[0], 1)).Keys.Should().Equal((Client, 2UL));
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static ClientRequest Request(ulong client, ulong id, byte[] value, SigningKey key) =>
        ClientRequest.Create(client, id, RequestFlags.None, KvOperation.Put([1], value).Encode(), key);

    private static async Task<Dictionary<(ulong, ulong), (StatusCode Code, string Reason)>> ReadAnswersAsync(
        TestSessionConnection connection,
        int count
    )
    {
        var answers = new Dictionary<(ulong, ulong), (StatusCode, string)>();
        while (answers.Count < count && await connection.ReadAsync(Ct) is { } answer)
        {
            answers[(answer.ClientId, answer.RequestId)] = ((StatusCode)answer.RefusalCode, answer.Refusal);
        }

        return answers;
    }

    private static async Task<List<SessionReply>> ReadUntilClosedAsync(TestSessionConnection connection)
    {
        var answers = new List<SessionReply>();
        while (await connection.ReadAsync(Ct) is { } answer)
        {
            answers.Add(answer);
        }

        return answers;
    }
}
