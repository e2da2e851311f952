using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Grpc.Core;

namespace Cairn.Node.Tests;

/// <summary>
/// A client key proven on a session connection (<see cref="SessionProof"/>, over the replica's challenge for that
/// connection): a backup then takes that key's requests on the connection without checking their signatures; a proof
/// for another replica, another connection or by another key closes the connection with the reason. Replica 1, a
/// backup in view 0, runs alone (<see cref="BackupReplicaUnderTest"/>), so nothing is ordered: what is observable is
/// whether a request is refused on admission.
/// </summary>
public sealed class SessionProofTests(BackupReplicaUnderTest replica) : IClassFixture<BackupReplicaUnderTest>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ulong Client = ClientIdentity.ClientId(keyIndex: 1, session: 3);
    private static readonly ulong Unknown = ClientIdentity.ClientId(keyIndex: 9, session: 1);

    [Fact]
    public async Task A_backup_takes_a_proven_keys_requests_without_their_signatures_and_checks_the_others()
    {
        using var clientKey = KeyFiles.LoadSigningKey(replica.Layout.ClientPrivateKey);
        using var otherKey = SigningKey.Generate();

        // Without a proof, a request signed by another key is refused on admission, before the next one's refusal.
        await using (var unproven = await TestSessionConnection.OpenAsync(replica, Ct))
        {
            await unproven.SendAsync(Ct, Request(Client, 1, otherKey), Request(Unknown, 2, clientKey));
            (await ReadAnswersAsync(unproven, Unknown)).Select(a => a.RequestId).Should().Equal(1UL, 2UL);
        }

        // With the key proven on the connection, the same request is the client's: admitted (left to be ordered),
        // so only the unknown client's request is refused.
        await using var proven = await TestSessionConnection.OpenAsync(replica, Ct);
        var challenge = await proven.ReadChallengeAsync(Ct);
        await proven.SendAsync(
            Ct,
            SessionProof.Create(1, replicaId: 1, challenge, clientKey).Encode(),
            Request(Client, 3, otherKey),
            Request(Unknown, 4, clientKey)
        );
        var answers = await ReadAnswersAsync(proven, Unknown);
        answers.Should().ContainSingle().Which.RequestId.Should().Be(4);
        ((StatusCode)answers[0].RefusalCode).Should().Be(StatusCode.InvalidArgument);
    }

    [Theory]
    [InlineData("another key")]
    [InlineData("another replica")]
    [InlineData("another challenge")]
    public async Task A_proof_that_does_not_hold_closes_the_connection_with_the_reason(string wrong)
    {
        using var clientKey = KeyFiles.LoadSigningKey(replica.Layout.ClientPrivateKey);
        using var otherKey = SigningKey.Generate();
        await using var connection = await TestSessionConnection.OpenAsync(replica, Ct);
        var challenge = await connection.ReadChallengeAsync(Ct);

        var proof = wrong switch
        {
            "another key" => SessionProof.Create(1, replicaId: 1, challenge, otherKey),
            "another replica" => SessionProof.Create(1, replicaId: 0, challenge, clientKey),
            _ => SessionProof.Create(1, replicaId: 1, new byte[SessionProof.ChallengeSize], clientKey),
        };
        await connection.SendAsync(Ct, proof.Encode(), Request(Client, 1, otherKey));

        var answers = new List<SessionReply>();
        while (await connection.ReadAsync(Ct) is { } answer)
        {
            answers.Add(answer);
        }

        answers.Should().ContainSingle("the request after the proof is not read");
        answers[0].RequestId.Should().Be(0);
        ((StatusCode)answers[0].RefusalCode).Should().Be(StatusCode.InvalidArgument);
        answers[0]
            .Refusal.Should()
            .Be("the session proof for client key 1 is not that key's signature of this connection's challenge");
    }

    private static byte[] Request(ulong client, ulong id, SigningKey key) =>
        ClientRequest.Create(client, id, RequestFlags.None, KvOperation.Put([1], [2]).Encode(), key).Encoded.ToArray();

    /// <summary>The answers up to and including the one to <paramref name="last"/>'s request.</summary>
    private static async Task<List<SessionReply>> ReadAnswersAsync(TestSessionConnection connection, ulong last)
    {
        var answers = new List<SessionReply>();
        while (await connection.ReadAsync(Ct) is { } answer)
        {
            answers.Add(answer);
            if (answer.ClientId == last)
            {
                break;
            }
        }

        return answers;
    }
}
