using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AwesomeAssertions;
using Cairn.Client;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Operator;

namespace Cairn.Cli.Tests;

/// <summary>How the CLI judges replicas' answers to checkpoint queries: signatures checked per replica, what f+1 agree
/// on, a lying or missing replica flagged, never trusted.</summary>
public sealed class CheckpointReportTests : IDisposable
{
    private const int F = 1;
    private const ulong Nonce = 99;
    private static readonly BlockId Id = new(300);
    private static readonly Digest Good = Digest.Compute("good"u8);
    private readonly SigningKey[] _keys =
    [
        .. Enumerable.Range(1, 4).Select(i => SigningKey.FromSeed(Enumerable.Repeat((byte)i, 32).ToArray())),
    ];

    private IReadOnlyList<VerificationKey> PublicKeys => [.. _keys.Select(k => k.PublicKey)];

    [Fact]
    public void Hash_answers_from_every_replica_over_one_digest_are_consistent()
    {
        var report = CheckpointHashReport.From(
            [.. Enumerable.Range(0, 4).Select(r => Signed(r, Good))],
            PublicKeys,
            Id,
            Nonce,
            F
        );

        report.Consistent.Should().BeTrue();
        report.AgreedDigest.Should().Be(Good);
        report.Rows.Should().AllSatisfy(r => (r.Verified, r.Differs).Should().Be((true, false)));
    }

    [Fact]
    public void A_replica_signing_another_digest_is_flagged_a_forged_or_stale_statement_is_rejected_missing_shown()
    {
        var forged = CheckpointHashAttestation
            .Create(new ReplicaId(2), Id, new SeqNum(300), Id, Good, 0, Nonce, _keys[1])
            .Encode();
        var stale = CheckpointHashAttestation
            .Create(new ReplicaId(3), Id, new SeqNum(300), Id, Good, 0, Nonce + 1, _keys[3])
            .Encode();
        ReplicaAnswer[] answers =
        [
            Signed(0, Good),
            Signed(1, Digest.Compute("other"u8)),
            new(2, null, null, forged),
            new(3, null, null, stale),
        ];

        var report = CheckpointHashReport.From(answers, PublicKeys, Id, Nonce, F);

        report.AgreedDigest.Should().BeNull("only replica 0's verified statement carries the good digest");
        report.Consistent.Should().BeFalse();
        report.Rows[1].Differs.Should().BeTrue();
        report.Rows[2].Problem.Should().Be("rejected: the signature is not replica 2's");
        report.Rows[3].Problem.Should().Contain("answers another query");

        var withThree = CheckpointHashReport.From(
            [Signed(0, Good), Signed(1, Digest.Compute("other"u8)), Signed(2, Good), new(3, null, null)],
            PublicKeys,
            Id,
            Nonce,
            F
        );
        withThree.AgreedDigest.Should().Be(Good);
        withThree.Consistent.Should().BeFalse("replica 1 signs a different state");
        withThree.Rows.Select(r => r.Differs).Should().Equal(false, true, false, false);
        withThree.Rows[3].Problem.Should().Be("no answer");
    }

    [Fact]
    public void Per_replica_refusals_are_kept_as_they_are()
    {
        var report = CheckpointHashReport.From(
            [.. Enumerable.Range(0, 4).Select(r => new ReplicaAnswer(r, null, "no such checkpoint 300 (have: none)"))],
            PublicKeys,
            Id,
            Nonce,
            F
        );

        report.Rows.Should().AllSatisfy(r => r.Problem.Should().Be("no such checkpoint 300 (have: none)"));
        report.Consistent.Should().BeFalse();
    }

    [Fact]
    public void Read_values_are_what_f_plus_1_replicas_say_and_a_differing_replica_is_named()
    {
        byte[][] keys = ["k"u8.ToArray(), "gone"u8.ToArray()];
        ReplicaAnswer[] answers =
        [
            Read(0, "v1"u8.ToArray(), null),
            Read(1, "v1"u8.ToArray(), null),
            Read(2, "lie"u8.ToArray(), null),
            new(3, null, null),
        ];

        var report = CheckpointReadReport.From(answers, Id, keys, F);

        report.Keys[0].Should().BeEquivalentTo(new KeyAgreement(keys[0], true, "v1"u8.ToArray(), [2]));
        report.Keys[1].Should().BeEquivalentTo(new KeyAgreement(keys[1], true, null, []));
        report.Consistent.Should().BeFalse();
        report.Replicas[3].Problem.Should().Be("no answer");
    }

    [Fact]
    public void A_read_answer_for_another_checkpoint_or_key_count_is_rejected()
    {
        ReplicaAnswer[] answers =
        [
            Answer(0, new CheckpointReadAnswer(0, 150, 150, [null]), OperatorAnswerJson.Default.CheckpointReadAnswer),
            Answer(
                1,
                new CheckpointReadAnswer(1, 300, 300, [null, null]),
                OperatorAnswerJson.Default.CheckpointReadAnswer
            ),
            new(2, "not json", null),
        ];

        var report = CheckpointReadReport.From(
            answers,
            Id,
            [
                [1],
            ],
            F
        );

        report.Replicas.Should().AllSatisfy(r => r.Problem.Should().StartWith("rejected: the answer is"));
        report.Keys[0].Agreed.Should().BeFalse();
    }

    [Fact]
    public void Snapshot_asks_for_a_checkpoint_only_when_fewer_than_f_plus_1_replicas_have_one()
    {
        var createdAt = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        ReplicaAnswer None(int r) => Answer(r, new SnapshotAnswer(r, null), OperatorAnswerJson.Default.SnapshotAnswer);
        ReplicaAnswer Has(int r, ulong id, string digest) =>
            Answer(
                r,
                new SnapshotAnswer(r, new SnapshotCheckpoint(id, id, id, digest, 0, createdAt, 12)),
                OperatorAnswerJson.Default.SnapshotAnswer
            );

        SnapshotReport.From([None(0), None(1), None(2), new(3, null, null)], F).NeedsCheckpoint(F).Should().BeTrue();
        SnapshotReport.From([Has(0, 150, "aa"), None(1), None(2), None(3)], F).NeedsCheckpoint(F).Should().BeTrue();

        var agreed = SnapshotReport.From(
            [Has(0, 300, "aa"), Has(1, 300, "aa"), Has(2, 300, "bb"), Has(3, 150, "cc")],
            F
        );
        agreed.NeedsCheckpoint(F).Should().BeFalse();
        agreed.Agreed.Should().BeEquivalentTo(new SnapshotCheckpoint(300, 300, 300, "aa", 0, createdAt, 12));
        agreed.Rows.Select(r => r.Differs).Should().Equal(false, false, true, false);
    }

    private ReplicaAnswer Signed(int replica, Digest digest) =>
        new(
            replica,
            null,
            null,
            CheckpointHashAttestation
                .Create(new ReplicaId(replica), Id, new SeqNum(300), Id, digest, 0, Nonce, _keys[replica])
                .Encode()
        );

    private static ReplicaAnswer Read(int replica, byte[]? first, byte[]? second) =>
        Answer(
            replica,
            new CheckpointReadAnswer(replica, 300, 300, [first, second]),
            OperatorAnswerJson.Default.CheckpointReadAnswer
        );

    /// <summary>Replica <paramref name="replica"/>'s answer as a replica writes it.</summary>
    private static ReplicaAnswer Answer<T>(int replica, T answer, JsonTypeInfo<T> json) =>
        new(replica, JsonSerializer.Serialize(answer, json), null);

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}
