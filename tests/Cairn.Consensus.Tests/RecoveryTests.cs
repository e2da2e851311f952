using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

public sealed class RecoveryTests
{
    [Fact]
    public void A_restarted_replica_keeps_its_view_and_refuses_a_conflicting_pre_prepare_for_a_slot_it_accepted()
    {
        var h = new Harness();
        h.Filter = (_, _, m) => m is not Commit;
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        var accepted = h.Persisted[2].OfType<SlotRecord>().Last().Accepted!;

        var restarted = new Replica(h.Options[2], new ReplicaRecovery(h.Persisted[2], SeqNum.Zero, Digest.Zero, []));
        restarted.Handle(new Tick(h.Now));
        var conflicting = h.Sign(
            0,
            new PrePrepare(
                new ViewNum(0),
                new SeqNum(1),
                accepted.TimestampMs,
                new Batch([Harness.Request(2, 1)]),
                new ReplicaId(0)
            )
        );
        var outputs = restarted.Handle(new MessageReceived(new ReplicaId(0), conflicting));

        outputs.Should().BeEmpty();
        restarted.Drops[DropReason.Equivocation].Should().Be(1);
        restarted.View.Should().Be(new ViewNum(0));
    }

    [Fact]
    public void A_replica_restarted_during_a_view_change_stays_in_that_view_change()
    {
        var h = new Harness();
        h.Filter = (_, _, _) => false;
        h.Deliver(1, new ClientRequestReceived(Harness.Request(1, 1)));
        h.Deliver(1, new Tick(h.Now + TimeSpan.FromSeconds(2)));
        h.Deliver(
            1,
            new MessageReceived(new ReplicaId(2), h.Sign(2, new ViewComplaint(new ViewNum(0), new ReplicaId(2))))
        );
        h.Replicas[1].View.Should().Be(new ViewNum(1));

        var restarted = new Replica(h.Options[1], new ReplicaRecovery(h.Persisted[1], SeqNum.Zero, Digest.Zero, []));

        restarted.View.Should().Be(new ViewNum(1));
        restarted.IsViewActive.Should().BeFalse();
    }

    [Fact]
    public void A_restarted_replica_still_shows_its_new_view_to_a_peer_left_in_the_old_view()
    {
        // Found by the fault campaign (kill -9 of all replicas, restart in random order): the NEW-VIEW lived only in
        // memory, so after the restart nobody could bring a replica that had missed it into the view.
        var h = new Harness();
        h.Down.Add(0);
        h.Submit(Harness.Request(1, 1));
        h.Advance(TimeSpan.FromSeconds(3));
        h.Replicas[2].View.Should().Be(new ViewNum(1));
        var executed = h.Executed[2].Last().Seq;

        var restarted = new Replica(h.Options[2], new ReplicaRecovery(h.Persisted[2], executed, h.Digests[2], []));
        var behind = h.Sign(0, new StatusMessage(new ViewNum(0), true, SeqNum.Zero, SeqNum.Zero, new ReplicaId(0)));
        var outputs = restarted.Handle(new MessageReceived(new ReplicaId(0), behind));

        restarted.View.Should().Be(new ViewNum(1));
        restarted.IsViewActive.Should().BeTrue();
        outputs
            .OfType<Send>()
            .Where(s => s.To == new ReplicaId(0))
            .Select(s => s.Message)
            .OfType<NewView>()
            .Should()
            .ContainSingle()
            .Which.View.Should()
            .Be(new ViewNum(1));
    }

    [Fact]
    public void A_replica_restarted_with_committed_but_unexecuted_slots_executes_them_on_start()
    {
        var h = new Harness { AnswerExecution = false };
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Persisted[3].OfType<SlotRecord>().Last().Committed.Should().NotBeNull();

        // The crash came before the ledger wrote block 1.
        var restarted = new Replica(h.Options[3], new ReplicaRecovery(h.Persisted[3], SeqNum.Zero, Digest.Zero, []));
        var outputs = restarted.Handle(new Tick(h.Now));

        var execute = outputs.OfType<Execute>().Should().ContainSingle().Which;
        execute.Seq.Should().Be(new SeqNum(1));
        execute.Requests.Should().ContainSingle("the batch comes back from its proposal record, not from a peer");
    }

    [Fact]
    public void A_restarted_replica_that_executed_slots_above_its_stable_checkpoint_proves_them_in_its_view_change()
    {
        // Found by the fault campaign (kill -9 of all replicas, restart in random order): restarted replicas left the
        // proofs of executed but not yet stable slots out of their VIEW-CHANGEs, so the new primary filled that seq
        // with a no-op and a replica that had not executed it yet diverged from the others.
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Executed[3].Should().ContainSingle();

        var restarted = new Replica(h.Options[3], new ReplicaRecovery(h.Persisted[3], new SeqNum(1), h.Digests[3], []));
        restarted.Handle(new Tick(h.Now));
        restarted.Handle(new ClientRequestReceived(Harness.Request(2, 1)));
        restarted.Handle(new Tick(h.Now + TimeSpan.FromMinutes(1)));
        var outputs = restarted.Handle(
            new MessageReceived(new ReplicaId(2), h.Sign(2, new ViewComplaint(new ViewNum(0), new ReplicaId(2))))
        );

        var viewChange = outputs
            .OfType<Broadcast>()
            .Select(b => b.Message)
            .OfType<ViewChange>()
            .Should()
            .ContainSingle()
            .Subject;
        viewChange.Proofs.Select(p => p.PrePrepare.Seq).Should().Contain(new SeqNum(1));
        outputs.OfType<Execute>().Should().BeEmpty("seq 1 is executed already");
    }

    [Fact]
    public void A_replica_restored_without_its_consensus_records_withholds_every_vote_it_may_have_signed_before()
    {
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        Votes(h, 3).Should().NotBeEmpty("before the failure replica 3 voted on seq 1");

        // Restored from a checkpoint at genesis, its consensus records lost with its disk.
        h.Replicas[3] = new Replica(
            h.Options[3],
            new ReplicaRecovery([RestoreRecord.Learning], SeqNum.Zero, Digest.Zero, [])
        );
        h.Digests[3] = Digest.Zero;
        h.Outputs[3].Clear();
        h.Replicas[3].IsLearningAfterRestore.Should().BeTrue();
        h.Submit(Harness.Request(1, 2));
        h.Flush();
        Votes(h, 3).Should().BeEmpty("it has not learned its peers' view and stable checkpoint yet");

        h.Advance(TimeSpan.FromSeconds(1));
        var horizon = new SeqNum(2 * (ulong)h.Options[3].CheckpointWindowSize);
        h.Replicas[3].IsLearningAfterRestore.Should().BeFalse("2f+1 other replicas' STATUS arrived");
        h.Replicas[3].RestoreHorizon.Should().Be((new ViewNum(1), horizon));
        h.Persisted[3]
            .OfType<RestoreRecord>()
            .Should()
            .ContainSingle()
            .Which.Should()
            .Be(new RestoreRecord(new ViewNum(1), horizon));

        for (ulong request = 3; request <= 14; request++)
        {
            h.Submit(Harness.Request(1, request));
            h.Flush();
        }

        h.Advance(TimeSpan.FromSeconds(1));
        Votes(h, 3)
            .Should()
            .NotBeEmpty("above the horizon it votes again")
            .And.OnlyContain(seq => seq > horizon, "nothing at or below the horizon of view 0 is signed");
        h.Replicas[3].LastExecuted.Should().Be(h.Replicas[0].LastExecuted, "it executed what the others committed");
        h.Digests[3].Should().Be(h.Digests[0]);

        // The horizon survives a restart.
        var restarted = new Replica(
            h.Options[3],
            new ReplicaRecovery(h.Persisted[3], h.Replicas[3].LastExecuted, h.Digests[3], [])
        );
        restarted.RestoreHorizon.Should().Be((new ViewNum(1), horizon));
        restarted.IsLearningAfterRestore.Should().BeFalse();
    }

    [Fact]
    public void A_restored_replica_needs_2f_plus_1_other_replicas_before_it_signs_again()
    {
        var h = new Harness();
        h.Replicas[3] = new Replica(
            h.Options[3],
            new ReplicaRecovery([RestoreRecord.Learning], SeqNum.Zero, Digest.Zero, [])
        );
        h.Filter = (from, to, message) => !(from == 2 && to == 3 && message is StatusMessage);

        h.Advance(TimeSpan.FromSeconds(2));

        h.Replicas[3]
            .IsLearningAfterRestore.Should()
            .BeTrue("2f reports leave the quorum one short of a correct replica that remembers");
        h.Replicas[3].RestoreHorizon.Should().BeNull();
    }

    [Theory]
    [InlineData(ulong.MaxValue - 7, 0UL)] // stable + 2 x window wraps to 0
    [InlineData(0UL, ulong.MaxValue)] // a view no correct replica can reach would silence the restored replica
    public void A_lying_peer_can_neither_wrap_nor_inflate_the_restore_horizon(ulong claimedStable, ulong claimedView)
    {
        var h = new Harness(f: 2);
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Replicas[6] = new Replica(
            h.Options[6],
            new ReplicaRecovery([RestoreRecord.Learning], SeqNum.Zero, Digest.Zero, [])
        );
        h.Digests[6] = Digest.Zero;

        // Replica 5 is Byzantine: every STATUS it sends to the restored replica lies.
        h.Filter = (from, to, message) => !(from == 5 && to == 6 && message is StatusMessage);
        h.Deliver(
            6,
            new MessageReceived(
                new ReplicaId(5),
                h.Sign(
                    5,
                    new StatusMessage(
                        new ViewNum(claimedView),
                        true,
                        new SeqNum(claimedStable),
                        new SeqNum(claimedStable),
                        new ReplicaId(5)
                    )
                )
            )
        );
        h.Advance(TimeSpan.FromSeconds(2));
        h.Deliver(
            6,
            new MessageReceived(
                new ReplicaId(5),
                h.Sign(
                    5,
                    new StatusMessage(
                        new ViewNum(claimedView),
                        true,
                        new SeqNum(claimedStable),
                        new SeqNum(claimedStable),
                        new ReplicaId(5)
                    )
                )
            )
        );

        var window = (ulong)h.Options[6].CheckpointWindowSize;
        h.Replicas[6]
            .RestoreHorizon.Should()
            .Be((new ViewNum(1), new SeqNum(2 * window)), "the five truthful peers are proven, the liar is not");
    }

    [Fact]
    public void A_pre_prepare_accepted_below_the_restore_horizon_gets_no_vote_after_a_restart()
    {
        var h = new Harness();
        var prePrepare = h.Sign(
            0,
            new PrePrepare(
                new ViewNum(0),
                new SeqNum(1),
                Harness.Start.ToUnixTimeMilliseconds(),
                new Batch([Harness.Request(1, 1)]),
                new ReplicaId(0)
            )
        );
        PersistentRecord[] records =
        [
            new RestoreRecord(new ViewNum(0), new SeqNum(8)),
            new SlotRecord(new SeqNum(1), prePrepare, null, null),
        ];
        var replica = new Replica(h.Options[3], new ReplicaRecovery(records, SeqNum.Zero, Digest.Zero, []));

        // A peer stuck at seq 0 twice asks for the votes of seq 1.
        var status = h.Sign(1, new StatusMessage(new ViewNum(0), true, SeqNum.Zero, SeqNum.Zero, new ReplicaId(1)));
        var outputs = replica
            .Handle(new Tick(h.Now))
            .Concat(replica.Handle(new MessageReceived(new ReplicaId(1), status)))
            .Concat(replica.Handle(new MessageReceived(new ReplicaId(1), status)))
            .ToList();

        outputs
            .OfType<Send>()
            .Select(s => s.Message)
            .Concat(outputs.OfType<Broadcast>().Select(b => b.Message))
            .Should()
            .NotContain(m => m is Prepare || m is Commit, "seq 1 of view 0 is at or below the restore horizon");
    }

    /// <summary>The sequence numbers of what <paramref name="replica"/> signed and sent: PRE-PREPAREs, PREPAREs,
    /// COMMITs;
    /// VIEW-CHANGEs and NEW-VIEWs count as seq 0.</summary>
    private static List<SeqNum> Votes(Harness h, int replica) =>
        [
            .. h.OutputsOf<Broadcast>(replica)
                .Select(b => b.Message)
                .Concat(h.OutputsOf<Send>(replica).Select(s => s.Message))
                .Where(m => m.Sender.Value == replica)
                .Select(m =>
                    m switch
                    {
                        Prepare p => p.Seq,
                        Commit c => c.Seq,
                        PrePrepare pp => pp.Seq,
                        ViewChange or NewView => SeqNum.Zero,
                        _ => (SeqNum?)null,
                    }
                )
                .OfType<SeqNum>(),
        ];
}
