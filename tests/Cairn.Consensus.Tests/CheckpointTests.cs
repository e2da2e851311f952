using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

public sealed class CheckpointTests
{
    private static Harness RunToSeq(ulong seqs, Func<ReplicaOptions, ReplicaOptions>? configure = null)
    {
        var h = new Harness(configure: configure);
        for (ulong id = 1; id <= seqs; id++)
        {
            h.Submit(Harness.Request(1, id));
            h.Flush();
        }

        return h;
    }

    [Fact]
    public void A_checkpoint_becomes_stable_with_a_certificate_of_2f_plus_1_signatures_that_verifies()
    {
        var h = RunToSeq(4);

        for (var i = 0; i < h.N; i++)
        {
            h.Replicas[i].LastStable.Should().Be(new SeqNum(4));
            var stable = h.OutputsOf<StableCheckpoint>(i).Should().ContainSingle().Subject;
            stable.StateDigest.Should().Be(h.Digests[0]);
            stable.Certificate.Signers.Distinct().Should().HaveCountGreaterThanOrEqualTo(2 * h.F + 1);
            stable.Certificate.Verify(h.ReplicaKeys, h.F).Should().BeTrue();
        }
    }

    [Fact]
    public void A_certificate_with_too_few_signatures_or_another_digest_does_not_verify()
    {
        var h = RunToSeq(4);
        var certificate = h.Replicas[0].StableCertificate!;

        (certificate with { Signatures = [.. certificate.Signatures.Take(2 * h.F)] })
            .Verify(h.ReplicaKeys, h.F)
            .Should()
            .BeFalse();
        (certificate with { StateDigest = Digest.Compute("other"u8) }).Verify(h.ReplicaKeys, h.F).Should().BeFalse();
        var repeated = certificate
            .Signatures.Take(1)
            .Concat(certificate.Signatures.Take(1))
            .Concat(certificate.Signatures.Take(1))
            .ToList();
        (certificate with { Signatures = repeated }).Verify(h.ReplicaKeys, h.F).Should().BeFalse();
        StableCheckpointCertificate.Decode(certificate.Encode()).Verify(h.ReplicaKeys, h.F).Should().BeTrue();
    }

    [Fact]
    public void Slots_at_or_below_the_stable_checkpoint_are_collected_and_messages_for_them_dropped()
    {
        var h = RunToSeq(4);
        var late = h.Sign(2, new Prepare(new ViewNum(0), new SeqNum(3), Digest.Compute("x"u8), new ReplicaId(2)));

        h.Deliver(1, new MessageReceived(new ReplicaId(2), late));

        h.Replicas[1].Drops[DropReason.OutOfWindow].Should().Be(1);
        h.Persisted[1].OfType<StableCheckpointRecord>().Last().Certificate.Seq.Should().Be(new SeqNum(4));
    }

    [Fact]
    public void Messages_above_the_high_water_mark_are_dropped()
    {
        var h = new Harness();
        // Window 4: high = 8.
        var far = h.Sign(2, new Prepare(new ViewNum(0), new SeqNum(9), Digest.Compute("x"u8), new ReplicaId(2)));

        h.Deliver(1, new MessageReceived(new ReplicaId(2), far));

        h.Replicas[1].Drops[DropReason.OutOfWindow].Should().Be(1);
    }

    [Fact]
    public void The_primary_never_proposes_beyond_the_high_water_mark()
    {
        // Without CHECKPOINT messages nothing becomes stable, so the window (2 x 4 seqs) cannot move.
        var h = new Harness(configure: o => o with { MaxBatchSize = 1 }, clients: 12);
        h.Filter = (_, _, m) => m is not CheckpointMessage;
        for (ulong client = 1; client <= 12; client++)
        {
            h.Submit(Harness.Request(client, 1));
            h.Flush();
        }

        h.Executed[1].Select(e => e.Seq.Value).Max().Should().Be(8);
        h.Replicas[0].LastStable.Should().Be(SeqNum.Zero);
        h.Replicas[0].PendingRequestCount.Should().Be(4);
    }

    [Fact]
    public void Checkpoint_soon_makes_an_idle_cluster_fill_the_window_with_no_ops_until_stable()
    {
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();

        for (var i = 0; i < h.N; i++)
        {
            h.Deliver(i, new RequestCheckpointSoon(new SeqNum(1)));
        }

        h.Flush();

        for (var i = 0; i < h.N; i++)
        {
            h.Replicas[i].LastStable.Should().Be(new SeqNum(4));
            h.Executed[i].Skip(1).Should().OnlyContain(e => e.Batch.IsNoOp);
        }
    }
}
