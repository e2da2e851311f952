using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

/// <summary>A consensus generation started by restoring every replica from one checkpoint: it starts stable at the
/// checkpoint, orders and changes views from there, and refuses every message signed in another generation.</summary>
public sealed class GenerationTests
{
    // Far above two windows (the harness's window is 4), so a replica that forgot the base could not order at all.
    private static readonly SeqNum Base = new(40);
    private static readonly Digest BaseDigest = Digest.Compute("the restored checkpoint"u8);
    private static readonly ConsensusGeneration Restored = new(Digest.Compute("nonce"u8), Base, BaseDigest);

    /// <summary>Every replica of <paramref name="h"/> replaced by one restored at <see cref="Base"/> in <paramref
    /// name="generation"/>.</summary>
    private static void RestoreEveryReplica(Harness h, ConsensusGeneration generation)
    {
        for (var i = 0; i < h.N; i++)
        {
            h.Replicas[i] = new Replica(
                h.Options[i],
                new ReplicaRecovery([new GenerationRecord(generation)], Base, BaseDigest, [])
            );
            h.Digests[i] = BaseDigest;
            h.Executed[i].Clear();
        }
    }

    [Fact]
    public void Restored_replicas_start_stable_at_the_checkpoint_and_order_past_it()
    {
        var h = new Harness();
        RestoreEveryReplica(h, Restored);
        h.Replicas.Should().AllSatisfy(r => r.LastStable.Should().Be(Base));

        for (ulong id = 1; id <= 12; id++)
        {
            h.Submit(Harness.Request(1, id));
            h.Advance(TimeSpan.FromMilliseconds(200));
        }

        for (var i = 0; i < h.N; i++)
        {
            h.Executed[i].Select(e => e.Seq.Value).Should().StartWith(Base.Value + 1);
            h.Replicas[i].LastExecuted.Value.Should().BeGreaterThan(Base.Value + 8, "the window moved past the base");
            h.Replicas[i].LastStable.Should().BeGreaterThan(Base);
            h.Replicas[i].StableCertificate!.Verify(h.ReplicaKeys, h.F, Restored).Should().BeTrue();
            h.Replicas[i].StableCertificate!.Verify(h.ReplicaKeys, h.F).Should().BeFalse("it is not genesis's");
        }
    }

    [Fact]
    public void A_view_change_in_a_restored_generation_carries_on_from_the_checkpoint()
    {
        var h = new Harness();
        RestoreEveryReplica(h, Restored);
        h.Down.Add(0);

        h.Submit(Harness.Request(1, 1));
        h.Advance(TimeSpan.FromSeconds(5));

        for (var i = 1; i < h.N; i++)
        {
            h.Replicas[i].View.Should().Be(new ViewNum(1));
            h.Executed[i].Select(e => e.Seq).Should().Contain(Base.Next);
        }
    }

    [Fact]
    public void Messages_signed_in_another_generation_are_refused()
    {
        var h = new Harness();
        RestoreEveryReplica(h, Restored);
        var prepare = new Prepare(new ViewNum(0), Base.Next, Digest.Compute("batch"u8), new ReplicaId(1));
        var key = Harness.ReplicaKey(1);

        prepare.SignWith(key, Restored).VerifySignature(key.PublicKey, Restored).Should().BeTrue();
        prepare.SignWith(key).VerifySignature(key.PublicKey, Restored).Should().BeFalse();
        prepare.SignWith(key, Restored).VerifySignature(key.PublicKey).Should().BeFalse();
        var otherNonce = Restored with { Nonce = Digest.Compute("another restore"u8) };
        prepare.SignWith(key, otherNonce).VerifySignature(key.PublicKey, Restored).Should().BeFalse();
        var otherBase = Restored with { BaseSeq = new SeqNum(44) };
        prepare.SignWith(key, otherBase).VerifySignature(key.PublicKey, Restored).Should().BeFalse();

        var before = h.Replicas[0].Drops[DropReason.BadSignature];
        h.Deliver(0, new MessageReceived(new ReplicaId(1), prepare.SignWith(key)));
        h.Deliver(0, new RawMessageReceived(new ReplicaId(1), prepare.SignWith(key, otherNonce).Encode()));
        h.Replicas[0].Drops[DropReason.BadSignature].Should().Be(before + 2);
    }

    [Fact]
    public void A_ledger_that_does_not_hold_the_generations_base_is_refused_at_start()
    {
        var h = new Harness();
        var behind = new ReplicaRecovery([new GenerationRecord(Restored)], new SeqNum(39), BaseDigest, []);
        var otherState = new ReplicaRecovery([new GenerationRecord(Restored)], Base, Digest.Zero, []);

        ((Action)(() => _ = new Replica(h.Options[0], behind))).Should().Throw<ConsensusInvariantException>();
        ((Action)(() => _ = new Replica(h.Options[0], otherState))).Should().Throw<ConsensusInvariantException>();
        new Replica(h.Options[0], new ReplicaRecovery([new GenerationRecord(Restored)], new SeqNum(45), default, []))
            .Generation.Should()
            .Be(Restored, "past the base, the ledger has moved on in the generation");
    }

    [Fact]
    public void The_generation_record_round_trips()
    {
        var record = new GenerationRecord(Restored);

        PersistentRecord.Decode(record.Encode()).Should().Be(record);
        record.Key.Should().Be("generation");
        ConsensusGeneration.Genesis.IsGenesis.Should().BeTrue();
        Restored.IsGenesis.Should().BeFalse();
    }
}
