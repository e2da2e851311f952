using AwesomeAssertions;

namespace Cairn.Simulation;

/// <summary>The fault scenarios the consensus issue requires, each in a deterministic simulated cluster.</summary>
public sealed class ScenarioTests
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    private static SimulationScenario Quiet(int seed, int f) =>
        new()
        {
            Seed = seed,
            F = f,
            Clients = 2,
            RequestsPerClient = 12,
            CheckpointWindow = 4,
            MaxBatchSize = 3,
            HealAt = TimeSpan.FromSeconds(2),
            Deadline = TimeSpan.FromSeconds(60),
        };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Progress_with_f_crashed_replicas(int f)
    {
        // f backups down from the start and never restarted: 2f+1 replicas must still commit and checkpoint.
        var crashed = Enumerable.Range(1, f).Select(r => (r, TimeSpan.Zero, (TimeSpan?)null)).ToList();
        var cluster = new Cluster(Quiet(11, f) with { Crashes = crashed, HealAt = Never });

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
        cluster.Replicas.Count(r => !r.Alive).Should().Be(f);
        cluster.Safety.StableCheckpoints.Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void View_change_after_the_primary_crashes(int f)
    {
        // The primary of view 0 dies mid-workload and stays down.
        var cluster = new Cluster(
            Quiet(12, f) with
            {
                Crashes = [(0, TimeSpan.FromMilliseconds(400), null)],
                HealAt = Never,
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
        cluster.CorrectReplicas.Should().OnlyContain(r => r.Status.View.Value >= 1 && r.Status.ViewActive);
        cluster.CorrectReplicas.Select(r => r.Status.View).Distinct().Should().ContainSingle();
    }

    [Theory]
    [InlineData(1, 21)]
    [InlineData(1, 22)]
    [InlineData(1, 23)]
    [InlineData(2, 24)]
    public void An_equivocating_primary_causes_no_divergence(int f, int seed)
    {
        var cluster = new Cluster(
            Quiet(seed, f) with
            {
                Byzantine = new Dictionary<int, ByzantineMode> { [0] = ByzantineMode.Equivocating },
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster
            .Replicas.Where(r => r.IsCorrect)
            .Sum(r => r.Engine!.Drops[Consensus.DropReason.Equivocation])
            .Should()
            .BeGreaterThan(0, "the correct replicas must actually have seen conflicting PRE-PREPAREs");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_restarted_replica_catches_up_by_state_transfer(int f)
    {
        // Replica 3 is down while the others pass several checkpoints (and collect garbage), then restarts.
        var scenario = Quiet(13, f) with
        {
            Crashes = [(3, TimeSpan.Zero, TimeSpan.FromSeconds(4))],
            RequestsPerClient = 15,
            HealAt = TimeSpan.FromSeconds(4),
        };
        var cluster = new Cluster(scenario);

        var failure = cluster.Run();

        failure.Should().BeNull();
        var restarted = cluster.Replicas[3];
        restarted.Restarts.Should().Be(1);
        restarted.StateTransfers.Should().BeGreaterThan(0);
        cluster.SegmentedStateTransfers.Should().BeGreaterThan(0, "the distance was longer than one 1 KiB segment");
        restarted.Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
        restarted.Ledger.StateDigest.Should().Be(cluster.Replicas[0].Ledger.StateDigest);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_replica_restarted_inside_its_peers_window_catches_up_by_retransmission_in_a_few_round_trips(int f)
    {
        // Replica 3 is down while the others order 60 seqs one request each, all inside one checkpoint window.
        var scenario = Quiet(17, f) with
        {
            CheckpointWindow = 100,
            MaxBatchSize = 1,
            RequestsPerClient = 30,
            Crashes = [(3, TimeSpan.Zero, null)],
            HealAt = Never,
            RequireFinalCheckpoint = false,
        };
        var cluster = new Cluster(scenario);
        cluster.Start();
        cluster.RunUntil(() => cluster.Clients.All(c => c.Done), scenario.Deadline);
        var head = cluster.Replicas[0].Ledger.Head.LastSeqNum;
        head.Value.Should().BeGreaterThan(48, "more than three retransmission chunks of 16");

        var restarted = cluster.Replicas[3];
        var restartedAt = cluster.Now;
        cluster.Restart(restarted);
        cluster.RunUntil(() => restarted.Ledger.Head.LastSeqNum == head, restartedAt + TimeSpan.FromSeconds(10));

        cluster.Safety.Violations.Should().BeEmpty();
        restarted.Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
        restarted.StateTransfers.Should().Be(0, "its peers' stable checkpoint is still below what it holds");
        (cluster.Now - restartedAt)
            .Should()
            .BeLessThan(TimeSpan.FromMilliseconds(500), "a chunk per round trip, not one per two STATUS intervals");
    }

    [Fact]
    public void A_planted_quorum_bug_is_caught_by_the_safety_checker()
    {
        // Correct replicas accept 2f instead of 2f+1 matching votes; an equivocating primary then splits them.
        var caught = Enumerable
            .Range(30, 5)
            .Select(seed =>
                new Cluster(
                    Quiet(seed, 1) with
                    {
                        PlantedQuorum = 2,
                        Byzantine = new Dictionary<int, ByzantineMode> { [0] = ByzantineMode.Equivocating },
                    }
                ).Run()
            )
            .Where(failure => failure is not null && failure.StartsWith("safety", StringComparison.Ordinal))
            .ToList();

        caught.Should().NotBeEmpty();
        caught[0].Should().Contain("seed=").And.Contain("CAIRN_SIM_SEED=");
    }

    [Theory]
    [InlineData(1, 41)]
    [InlineData(1, 42)]
    [InlineData(2, 43)]
    public void An_equivocating_new_primary_causes_no_divergence(int f, int seed)
    {
        // Replica 0 crashes, so replica 1 (Byzantine) leads view 1 and sends two different valid NEW-VIEWs.
        var scenario = Quiet(seed, f) with
        {
            Byzantine = new Dictionary<int, ByzantineMode> { [1] = ByzantineMode.Equivocating },
            Crashes = f == 1 ? [] : [(0, TimeSpan.FromMilliseconds(300), null)],
            Partition = f == 1 ? ([0], TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3)) : null,
            HealAt = TimeSpan.FromSeconds(3),
        };
        var cluster = new Cluster(scenario);

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.ViewChanges.Should().BeGreaterThan(0);
        cluster.CorrectReplicas.Sum(r => r.Engine!.Drops[Consensus.DropReason.Equivocation]).Should().BeGreaterThan(0);
        cluster
            .CorrectReplicas.Should()
            .OnlyContain(r => r.Status.View.Value >= 2, "the equivocating primary of view 1 was replaced");
    }

    [Fact]
    public void The_same_seed_replays_identically_and_another_seed_does_not()
    {
        SimulationScenario Scenario(int seed) =>
            SimulationScenario.FromSeed(seed, 1) with
            {
                LossRate = 0.05,
                DuplicateRate = 0.05,
                MaxDelayMs = 30,
            };
        var first = new Cluster(Scenario(77));
        var second = new Cluster(Scenario(77));
        var other = new Cluster(Scenario(78));

        first.Run().Should().BeNull();
        second.Run().Should().BeNull();
        other.Run().Should().BeNull();

        second.Fingerprint.Should().Be(first.Fingerprint);
        second.Now.Should().Be(first.Now);
        second.MessagesDelivered.Should().Be(first.MessagesDelivered);
        other.Fingerprint.Should().NotBe(first.Fingerprint);
    }

    [Fact]
    public void An_idle_cluster_reaches_the_next_stable_checkpoint_on_request()
    {
        var cluster = new Cluster(Quiet(14, 1) with { Clients = 0, CheckpointWindow = 16 });
        cluster.Start();
        cluster.RunUntil(() => false, TimeSpan.FromSeconds(1));
        cluster.CorrectReplicas.Should().OnlyContain(r => r.Status.LastStable.Value == 0);

        foreach (var node in cluster.Replicas)
        {
            cluster.Input(node, new Consensus.RequestCheckpointSoon());
        }

        cluster.RunUntil(
            () => cluster.CorrectReplicas.All(r => r.Status.LastStable.Value >= 16),
            TimeSpan.FromSeconds(10)
        );

        cluster
            .CorrectReplicas.Should()
            .OnlyContain(r => r.Status.LastStable.Value == 16 && r.Ledger.Head.LastSeqNum.Value == 16);
        cluster.Safety.Violations.Should().BeEmpty();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_censoring_primary_that_keeps_ordering_no_ops_is_replaced(int f)
    {
        // Replica 0 leads view 0, orders client 2's requests and endless no-ops, and never client 1's.
        var cluster = new Cluster(
            Quiet(16, f) with
            {
                Byzantine = new Dictionary<int, ByzantineMode> { [0] = ByzantineMode.Censoring },
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
        cluster
            .CorrectReplicas.Should()
            .OnlyContain(r => r.Status.View.Value >= 1, "the censoring primary of view 0 was replaced");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_client_whose_proven_session_carries_badly_signed_requests_gets_none_executed_and_changes_no_view(
        int f
    )
    {
        // Every request arrives as on a session its client proved (backups take it unchecked); the rogue client's are
        // signed by another key, so the primary drops each before proposing, and backups drop each before they would
        // complain that it went unordered: none executes (Cluster checks every batch), and no view changes.
        var cluster = new Cluster(Quiet(21, f) with { SessionProofs = true });

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
        cluster.RogueRequestsSent.Should().BeGreaterThan(10);
        cluster.ViewChanges.Should().Be(0);
        cluster.CorrectReplicas.Should().OnlyContain(r => r.Status.View.Value == 0 && r.Status.ViewComplaints == 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void F_replicas_that_complain_about_every_view_change_no_view(int f)
    {
        var complainers = Enumerable.Range(1, f).ToDictionary(i => i, _ => ByzantineMode.Complaining);
        var cluster = new Cluster(Quiet(17, f) with { Byzantine = complainers });

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
        cluster.ViewChanges.Should().Be(0);
        cluster.CorrectReplicas.Should().OnlyContain(r => r.Status.View.Value == 0 && r.Status.ViewComplaints == f);
    }

    [Theory]
    [InlineData(ByzantineMode.Silent)]
    [InlineData(ByzantineMode.BadSignatures)]
    [InlineData(ByzantineMode.WrongDigests)]
    public void A_lying_primary_is_replaced_and_the_cluster_stays_consistent(ByzantineMode mode)
    {
        var cluster = new Cluster(Quiet(15, 1) with { Byzantine = new Dictionary<int, ByzantineMode> { [0] = mode } });

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_primary_that_sends_oversized_batches_and_messages_is_replaced(int f)
    {
        var cluster = new Cluster(
            Quiet(16, f) with
            {
                Byzantine = new Dictionary<int, ByzantineMode> { [0] = ByzantineMode.Oversized },
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Clients.Should().OnlyContain(c => c.Done);
        cluster.OversizedSent.Should().BeGreaterThan(0);
        cluster
            .CorrectReplicas.Sum(r => r.Engine!.Drops[Consensus.DropReason.BadBatch])
            .Should()
            .BeGreaterThan(0, "the backups refused the stuffed batches");
        cluster.CorrectReplicas.Should().OnlyContain(r => r.Status.View.Value > 0, "the primary was replaced");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_replica_restored_from_a_peer_checkpoint_catches_up_and_votes_again(int f)
    {
        // Replica 3 loses its disk mid-workload and comes back from a peer's checkpoint without consensus records.
        var cluster = new Cluster(
            Quiet(18, f) with
            {
                Restores = [(3, TimeSpan.FromMilliseconds(1200), TimeSpan.FromMilliseconds(1500))],
                RequestsPerClient = 20,
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.Restores.Should().Be(1);
        var restored = cluster.Replicas[3];
        restored.Engine!.LearningAfterRestore.Should().BeFalse("2f+1 peers' reports taught it where the cluster is");
        restored.Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
    }

    [Fact]
    public void A_liar_cannot_push_a_restored_replica_s_horizon_out_of_reach()
    {
        // Replica 1 claims a view 1,000 ahead and a million more sequence numbers in every STATUS, and forges stable
        // certificates; replica 4 is restored and learns where the cluster is from its peers' reports, the liar's
        // among them.
        var cluster = new Cluster(
            Quiet(19, 2) with
            {
                Byzantine = new Dictionary<int, ByzantineMode> { [1] = ByzantineMode.Lying },
                Restores = [(4, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1000))],
                RequestsPerClient = 20,
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        var restored = cluster.Replicas[4].Engine!;
        restored.LearningAfterRestore.Should().BeFalse();
        restored.RestoreHorizon.Should().NotBeNull();
        restored.RestoreHorizon!.Value.Seq.Value.Should().BeLessThan(1000, "the liar's claims prove nothing");
        restored.RestoreHorizon.Value.View.Value.Should().BeLessThan(1000);
        cluster.Replicas[4].Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_replica_that_crashes_between_two_segments_of_a_state_transfer_ends_with_its_peers_state(int f)
    {
        // Replica 3 is down while the others pass several checkpoints, then fetches the distance in half-kilobyte
        // segments and, until the heal, crashes between two of them half the time, losing some of what it had not
        // synced.
        var cluster = new Cluster(
            Quiet(13, f) with
            {
                Crashes = [(3, TimeSpan.Zero, TimeSpan.FromSeconds(2))],
                CrashesHitSyncs = true,
                StateTransferSegmentBytes = 512,
                RequestsPerClient = 30,
                HealAt = TimeSpan.FromSeconds(6),
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.CrashesBetweenSegments.Should().BeGreaterThan(0);
        cluster.Replicas[3].Restarts.Should().BeGreaterThan(1, "it restarted after each crash between segments");
        cluster.Replicas[3].Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
        cluster.Replicas[3].Ledger.StateDigest.Should().Be(cluster.Replicas[0].Ledger.StateDigest);
    }

    [Fact]
    public void A_state_transfer_source_that_serves_garbage_or_stalls_costs_a_retry_not_a_wrong_block()
    {
        // Replica 3 is down while the others pass several checkpoints; replica 2, one of the sources it may fetch
        // from, changes a byte of what it serves or sends nothing.
        var cluster = new Cluster(
            Quiet(13, 1) with
            {
                Byzantine = new Dictionary<int, ByzantineMode> { [2] = ByzantineMode.GarbageStateSource },
                Crashes = [(3, TimeSpan.Zero, TimeSpan.FromSeconds(4))],
                RequestsPerClient = 15,
                HealAt = TimeSpan.FromSeconds(4),
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.GarbageServed.Should().BeGreaterThan(0, "the garbage source was asked, and changed or withheld blocks");
        cluster.Replicas[3].StateTransfers.Should().BeGreaterThan(0);
        cluster.Replicas[3].Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Crashes_that_lose_unsynced_writes_leave_no_trace_in_what_the_cluster_agreed(int f)
    {
        // Replica 1 crashes again and again under load, each time just before a sync, losing what its group had not
        // synced yet (the blocks it executed), and restarts from what its ledger kept.
        var crashes = Enumerable
            .Range(0, 10)
            .Select(i =>
                (1, TimeSpan.FromMilliseconds(100 + (250 * i)), (TimeSpan?)TimeSpan.FromMilliseconds(300 + (250 * i)))
            )
            .ToList();
        var cluster = new Cluster(
            Quiet(20, f) with
            {
                Crashes = crashes,
                CrashesHitSyncs = true,
                Clients = 3,
                RequestsPerClient = 30,
                HealAt = TimeSpan.FromSeconds(3),
            }
        );

        var failure = cluster.Run();

        failure.Should().BeNull();
        cluster.WritesLostInCrashes.Should().BeGreaterThan(0, "some crash hit a group before its sync");
        cluster.Replicas[1].Ledger.Head.Should().Be(cluster.Replicas[0].Ledger.Head);
    }
}
