using AwesomeAssertions;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using CsCheck;

namespace Cairn.Operator.Tests;

/// <summary>Checkpoint query bodies, signed checkpoint hash statements, and agreement among replicas'
/// answers.</summary>
public sealed class CheckpointQueryTests : IDisposable
{
    private readonly SigningKey _replica1 = SigningKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
    private readonly SigningKey _replica2 = SigningKey.FromSeed(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly Digest State = Digest.Compute("state"u8);

    [Fact]
    public void A_query_body_round_trips()
    {
        Gen.Select(Gen.ULong, Gen.Byte.Array[1, 64].Array[0, 8])
            .Sample(
                (id, keys) =>
                {
                    var decoded = CheckpointQuery.Decode(new CheckpointQuery(new BlockId(id), keys).Encode());
                    decoded.CheckpointId.Should().Be(new BlockId(id));
                    decoded.Keys.Should().BeEquivalentTo(keys, o => o.WithStrictOrdering());
                }
            );
    }

    [Fact]
    public void A_body_that_breaks_the_limits_or_is_malformed_is_refused_with_what_is_accepted()
    {
        var tooLong = new CheckpointQuery(new BlockId(1), [new byte[CheckpointQuery.MaxKeySize + 1]]).Encode();
        var empty = new CheckpointQuery(
            new BlockId(1),
            [
                [],
            ]
        ).Encode();
        var tooMany = new CheckpointQuery(
            new BlockId(1),
            [.. Enumerable.Range(0, CheckpointQuery.MaxKeys + 1).Select(i => new[] { (byte)i })]
        ).Encode();

        FluentActions
            .Invoking(() => CheckpointQuery.Decode(tooLong))
            .Should()
            .Throw<CanonicalEncodingException>()
            .WithMessage(
                $"key 1 is {CheckpointQuery.MaxKeySize + 1} bytes; a key is 1 to {CheckpointQuery.MaxKeySize} bytes"
            );
        FluentActions
            .Invoking(() => CheckpointQuery.Decode(empty))
            .Should()
            .Throw<CanonicalEncodingException>()
            .WithMessage("key 1 is 0 bytes*");
        FluentActions
            .Invoking(() => CheckpointQuery.Decode(tooMany))
            .Should()
            .Throw<CanonicalEncodingException>()
            .WithMessage($"{CheckpointQuery.MaxKeys + 1} keys asked for; at most {CheckpointQuery.MaxKeys} per read");
        FluentActions.Invoking(() => CheckpointQuery.Decode([1, 2, 3])).Should().Throw<CanonicalEncodingException>();
        FluentActions
            .Invoking(() => CheckpointQuery.Decode([.. new CheckpointQuery(new BlockId(1), []).Encode(), 0]))
            .Should()
            .Throw<CanonicalEncodingException>();
        CheckpointQuery
            .KeyProblem([
                [1],
                new byte[CheckpointQuery.MaxKeySize],
            ])
            .Should()
            .BeNull();
    }

    [Fact]
    public void A_statement_verifies_under_its_replicas_key_only_and_answers_only_its_query()
    {
        var statement = Attest(_replica1, replica: 1, nonce: 42);
        var decoded = CheckpointHashAttestation.Decode(statement.Encode());

        decoded.Should().Be(statement);
        decoded.ProblemAsAnswer(new ReplicaId(1), new BlockId(300), 42, _replica1.PublicKey).Should().BeNull();
        decoded
            .ProblemAsAnswer(new ReplicaId(1), new BlockId(300), 42, _replica2.PublicKey)
            .Should()
            .Be("the signature is not replica 1's");
        decoded
            .ProblemAsAnswer(new ReplicaId(2), new BlockId(300), 42, _replica2.PublicKey)
            .Should()
            .Be("the statement names replica 1, but replica 2 sent it");
        decoded
            .ProblemAsAnswer(new ReplicaId(1), new BlockId(300), 43, _replica1.PublicKey)
            .Should()
            .Contain("answers another query");
        decoded
            .ProblemAsAnswer(new ReplicaId(1), new BlockId(150), 42, _replica1.PublicKey)
            .Should()
            .Contain("answers another query");
    }

    [Fact]
    public void Changing_any_signed_byte_breaks_the_signature()
    {
        var encoded = Attest(_replica1, replica: 1, nonce: 7).Encode();
        Gen.Int[1, encoded.Length - 64 - 1]
            .Sample(at =>
            {
                var tampered = encoded.ToArray();
                tampered[at] ^= 0x01;
                CheckpointHashAttestation.Decode(tampered).Verify(_replica1.PublicKey).Should().BeFalse();
            });
    }

    [Fact]
    public void Agreement_needs_the_quorum_and_names_who_differs()
    {
        Agreements
            .Among([(0, "a"), (1, "a"), (2, "b"), (3, "a")], needed: 2)
            .Should()
            .BeEquivalentTo(new Agreement<string>(true, "a", 3, [2]));
        Agreements
            .Among([(0, "a"), (1, "b"), (2, "c")], needed: 2)
            .Should()
            .BeEquivalentTo(new Agreement<string>(false, null, 1, [1, 2]));
        Agreements.Among<string>([], needed: 2).Reached.Should().BeFalse();
        // A tie goes to the value the lowest replica gave; the rest are dissenters.
        Agreements
            .Among([(3, "b"), (0, "a"), (1, "a"), (2, "b")], needed: 2)
            .Should()
            .BeEquivalentTo(new Agreement<string>(true, "a", 2, [2, 3]));
        Agreements
            .Among<string?>([(0, null), (1, null), (2, "x")], needed: 2)
            .Should()
            .BeEquivalentTo(new Agreement<string?>(true, null, 2, [2]));
    }

    private static CheckpointHashAttestation Attest(SigningKey key, int replica, ulong nonce) =>
        CheckpointHashAttestation.Create(
            new ReplicaId(replica),
            new BlockId(300),
            new SeqNum(300),
            new BlockId(300),
            State,
            epoch: 1,
            nonce,
            key
        );

    public void Dispose()
    {
        _replica1.Dispose();
        _replica2.Dispose();
    }
}
