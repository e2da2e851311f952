using AwesomeAssertions;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using CsCheck;

namespace Cairn.Operator.Tests;

public sealed class OperatorCommandTests : IDisposable
{
    private const string Chain = "cairn-0123456789ab";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly SigningKey _operator = SigningKey.FromSeed(new byte[32]);
    private readonly SigningKey _intruder = SigningKey.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly HashSet<ulong> _seen = [];

    private OperatorCommandVerifier Verifier => new(_operator.PublicKey, Chain, TimeSpan.FromMinutes(5));

    [Fact]
    public void A_signed_command_round_trips_and_is_accepted_once()
    {
        var command = OperatorCommand.Create(OperatorCommandType.WedgeStop, Chain, [], Now, _operator);

        var decoded = OperatorCommand.Decode(command.Encode());

        decoded.Should().BeEquivalentTo(command);
        decoded.IsWrite.Should().BeTrue();
        Verifier.Refusal(decoded, Now.AddSeconds(3), _seen.Contains).Should().BeNull();
        _seen.Add(decoded.Nonce);
        Verifier.Refusal(decoded, Now.AddSeconds(4), _seen.Contains).Should().Contain("already used");
    }

    [Fact]
    public void A_command_for_another_chain_is_refused_though_the_operator_signed_it()
    {
        var command = OperatorCommand.Create(OperatorCommandType.WedgeStop, "cairn-other", [], Now, _operator);

        var decoded = OperatorCommand.Decode(command.Encode());

        decoded.ChainId.Should().Be("cairn-other");
        Verifier
            .Refusal(decoded, Now, _seen.Contains)
            .Should()
            .Be(
                "the command is for chain 'cairn-other', not this replica's chain 'cairn-0123456789ab' (the operator "
                    + "config's chain_id)"
            );
    }

    [Fact]
    public void A_signed_answer_verifies_only_for_its_chain_replica_query_and_text()
    {
        using var replica = SigningKey.FromSeed(Enumerable.Repeat((byte)3, 32).ToArray());
        var signature = OperatorAnswerSignature.Sign(Chain, new ReplicaId(2), 42, "{\"a\":1}", replica);

        bool Verifies(string chain, int id, ulong nonce, string json, VerificationKey key) =>
            OperatorAnswerSignature.Verify(chain, new ReplicaId(id), nonce, json, signature, key);

        Verifies(Chain, 2, 42, "{\"a\":1}", replica.PublicKey).Should().BeTrue();
        Verifies("cairn-other", 2, 42, "{\"a\":1}", replica.PublicKey).Should().BeFalse();
        Verifies(Chain, 1, 42, "{\"a\":1}", replica.PublicKey).Should().BeFalse();
        Verifies(Chain, 2, 43, "{\"a\":1}", replica.PublicKey).Should().BeFalse();
        Verifies(Chain, 2, 42, "{\"a\":2}", replica.PublicKey).Should().BeFalse();
        Verifies(Chain, 2, 42, "{\"a\":1}", _operator.PublicKey).Should().BeFalse();
    }

    [Fact]
    public void A_command_signed_with_another_key_is_refused()
    {
        var command = OperatorCommand.Create(OperatorCommandType.DbCheckpointCreate, Chain, [], Now, _intruder);

        Verifier.Refusal(command, Now, _seen.Contains).Should().Contain("not signed by this cluster's operator key");
    }

    [Fact]
    public void A_tampered_command_is_refused()
    {
        var bytes = OperatorCommand.Create(OperatorCommandType.DbCheckpointCreate, Chain, [], Now, _operator).Encode();
        bytes[1] = (byte)OperatorCommandType.WedgeStop;

        Verifier.Refusal(OperatorCommand.Decode(bytes), Now, _seen.Contains).Should().Contain("not signed");
    }

    [Fact]
    public void A_command_outside_the_window_is_refused_either_way()
    {
        var old = OperatorCommand.Create(OperatorCommandType.Unwedge, Chain, [], Now.AddMinutes(-6), _operator);
        var future = OperatorCommand.Create(OperatorCommandType.Unwedge, Chain, [], Now.AddMinutes(6), _operator);

        Verifier.Refusal(old, Now, _seen.Contains).Should().Contain("more than 300 s");
        Verifier.Refusal(future, Now, _seen.Contains).Should().Contain("more than 300 s");
    }

    [Fact]
    public void Unknown_types_and_malformed_bytes_do_not_decode()
    {
        var bytes = OperatorCommand.Create(OperatorCommandType.WedgeStatus, Chain, [], Now, _operator).Encode();
        var unknown = bytes.ToArray();
        unknown[1] = 99;

        FluentActions
            .Invoking(() => OperatorCommand.Decode(unknown))
            .Should()
            .Throw<CanonicalEncodingException>()
            .WithMessage("*unknown operator command type 99*");
        FluentActions
            .Invoking(() => OperatorCommand.Decode(bytes.AsSpan(0, bytes.Length - 1)))
            .Should()
            .Throw<CanonicalEncodingException>();
        FluentActions.Invoking(() => OperatorCommand.Decode([0x41, 1])).Should().Throw<CanonicalEncodingException>();
    }

    [Fact]
    public void Wedge_and_checkpoint_points_are_boundaries_after_the_command()
    {
        Gen.Select(Gen.ULong[0, 1_000_000_000], Gen.Int[1, 10_000])
            .Sample(
                (seq, window) =>
                {
                    var next = WedgePoint.NextBoundary(new SeqNum(seq), window).Value;
                    var wedge = WedgePoint.Of(new SeqNum(seq), window).Value;
                    return next % (ulong)window == 0
                        && next > seq
                        && next <= seq + (ulong)window
                        && wedge % (ulong)window == 0
                        && wedge > seq + (ulong)window - 1
                        && wedge <= seq + (2 * (ulong)window);
                }
            );
        WedgePoint.Of(new SeqNum(10), 150).Should().Be(new SeqNum(300));
        WedgePoint.NextBoundary(new SeqNum(150), 150).Should().Be(new SeqNum(300));
    }

    public void Dispose()
    {
        _operator.Dispose();
        _intruder.Dispose();
    }
}
