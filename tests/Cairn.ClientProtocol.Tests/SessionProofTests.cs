using AwesomeAssertions;
using Cairn.Core.Encoding;

namespace Cairn.ClientProtocol.Tests;

/// <summary>A session proof holds for the one challenge, replica and key it was made for, and no client request reads
/// as one (nor the reverse).</summary>
public sealed class SessionProofTests
{
    private static readonly byte[] Challenge =
    [
        .. Enumerable.Range(0, SessionProof.ChallengeSize).Select(i => (byte)i),
    ];

    [Fact]
    public void A_proof_round_trips_and_verifies_only_for_its_challenge_replica_and_key()
    {
        var key = TestKeys.Client(1);
        var proof = SessionProof.Decode(SessionProof.Create(3, replicaId: 2, Challenge, key).Encode());

        proof.KeyIndex.Should().Be(3);
        proof.Verify(2, Challenge, key.PublicKey).Should().BeTrue();
        proof.Verify(1, Challenge, key.PublicKey).Should().BeFalse("made for replica 2");
        proof.Verify(2, new byte[SessionProof.ChallengeSize], key.PublicKey).Should().BeFalse("another challenge");
        proof.Verify(2, Challenge, TestKeys.Client(2).PublicKey).Should().BeFalse("another key");

        var encoded = SessionProof.Create(3, 2, Challenge, key).Encode();
        encoded[5] ^= 1; // the key index
        SessionProof.Decode(encoded).Verify(2, Challenge, key.PublicKey).Should().BeFalse("its key index is signed");
    }

    [Fact]
    public void Proofs_and_requests_tell_themselves_apart_and_a_truncated_proof_does_not_decode()
    {
        var request = ClientRequest.Create(1, 1, RequestFlags.None, [1, 2], TestKeys.Client(1)).Encode();
        var proof = SessionProof.Create(0, 0, Challenge, TestKeys.Client(1)).Encode();

        SessionProof.IsProof(proof).Should().BeTrue();
        SessionProof.IsProof(request).Should().BeFalse();
        SessionProof.IsProof([]).Should().BeFalse();
        FluentActions.Invoking(() => ClientRequest.Decode(proof)).Should().Throw<CanonicalEncodingException>();
        FluentActions.Invoking(() => SessionProof.Decode(request)).Should().Throw<CanonicalEncodingException>();
        FluentActions
            .Invoking(() => SessionProof.Decode(proof.AsSpan(0, proof.Length - 1).ToArray()))
            .Should()
            .Throw<CanonicalEncodingException>();
        FluentActions.Invoking(() => SessionProof.Decode([.. proof, 0])).Should().Throw<CanonicalEncodingException>();
    }
}
