using Cairn.Consensus;
using Cairn.Node.Hosting;

namespace Cairn.Simulation;

/// <summary>Everything a simulated run depends on. <see cref="FromSeed"/> derives a random one from a seed.</summary>
public sealed record SimulationScenario
{
    public int Seed { get; init; }

    public int F { get; init; } = 1;

    public int Clients { get; init; } = 2;

    public int RequestsPerClient { get; init; } = 10;

    public int CheckpointWindow { get; init; } = 8;

    public int MaxBatchSize { get; init; } = 4;

    public double LossRate { get; init; }

    public double DuplicateRate { get; init; }

    public int MinDelayMs { get; init; } = 1;

    public int MaxDelayMs { get; init; } = 10;

    /// <summary>Faults (loss, partitions, crashes) last until this virtual time; then the network heals and crashed
    /// replicas restart.</summary>
    public TimeSpan HealAt { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Liveness deadline: every client request must have completed by then.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(90);

    public IReadOnlyDictionary<int, ByzantineMode> Byzantine { get; init; } = new Dictionary<int, ByzantineMode>();

    /// <summary>(replica, crash time, restart time or null to restart at heal).</summary>
    public IReadOnlyList<(int Replica, TimeSpan At, TimeSpan? RestartAt)> Crashes { get; init; } = [];

    /// <summary>A crash waits for the replica's next sync with something to sync and strikes just before it, so the
    /// group's writes are lost (all or all but a prefix) and nothing of it was said.</summary>
    public bool CrashesHitSyncs { get; init; }

    /// <summary>(replica, time, restart time or null to restart at heal): the replica's machine stops and its disk is
    /// lost; it comes back restored from a peer's checkpoint at the peer's newest stable boundary, without consensus
    /// records, as <c>cairn restore</c> leaves it.</summary>
    public IReadOnlyList<(int Replica, TimeSpan At, TimeSpan? RestartAt)> Restores { get; init; } = [];

    /// <summary>Replicas cut off from the rest during [start, end).</summary>
    public (IReadOnlyList<int> Isolated, TimeSpan Start, TimeSpan End)? Partition { get; init; }

    /// <summary>Test-only planted bug: prepare/commit quorum used by correct replicas.</summary>
    public int? PlantedQuorum { get; init; }

    /// <summary>At the end, ask every replica for a checkpoint soon and require a new stable checkpoint.</summary>
    public bool RequireFinalCheckpoint { get; init; } = true;

    /// <summary>Bytes of value each client request carries on top of its few bytes of operation.</summary>
    public int ValueBytes { get; init; }

    /// <summary>The batch byte budget; with large values it cuts batches before the count does.</summary>
    public int MaxBatchBytes { get; init; } = ConsensusKeys.MaxBatchSizeInBytes.Default;

    /// <summary>The state-transfer segment (<see cref="BlockTransfer"/>): small, so that a transfer of a window or two
    /// goes segment by segment.</summary>
    public long StateTransferSegmentBytes { get; init; } = 1024;

    /// <summary>Client requests arrive as on a session connection whose client proved its key: taken without their
    /// signatures checked (a primary checks them before proposing), alongside a rogue client whose requests, so
    /// delivered, carry signatures by another key and must never execute.</summary>
    public bool SessionProofs { get; init; }

    public int N => (3 * F) + 1;

    /// <summary>A random scenario with at most f faulty replicas at any time; the seed alone determines it.</summary>
    public static SimulationScenario FromSeed(int seed, int f)
    {
        var random = new Random(seed);
        var n = (3 * f) + 1;
        var faulty = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(random.Next(0, f + 1)).ToList();
        if (faulty.Count > 0 && random.NextDouble() < 0.4 && !faulty.Contains(0))
        {
            faulty[0] = 0; // the first primary is the most interesting one to break
        }

        var byzantine = new Dictionary<int, ByzantineMode>();
        var crashes = new List<(int, TimeSpan, TimeSpan?)>();
        var restores = new List<(int, TimeSpan, TimeSpan?)>();
        foreach (var replica in faulty)
        {
            if (random.NextDouble() < 0.5)
            {
                byzantine[replica] = (ByzantineMode)random.Next(1, (int)ByzantineMode.GarbageStateSource + 1);
            }
            else
            {
                var at = TimeSpan.FromMilliseconds(random.Next(0, 2500));
                TimeSpan? restart =
                    random.NextDouble() < 0.5 ? at + TimeSpan.FromMilliseconds(random.Next(100, 1500)) : null;
                (random.NextDouble() < 0.3 ? restores : crashes).Add((replica, at, restart));
            }
        }

        (IReadOnlyList<int>, TimeSpan, TimeSpan)? partition = null;
        if (random.NextDouble() < 0.3)
        {
            var isolated = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(random.Next(1, f + 1)).ToList();
            var start = TimeSpan.FromMilliseconds(random.Next(0, 2000));
            partition = (isolated, start, start + TimeSpan.FromMilliseconds(random.Next(200, 1500)));
        }

        return new SimulationScenario
        {
            Seed = seed,
            F = f,
            Clients = random.Next(1, 4),
            RequestsPerClient = random.Next(4, 13),
            CheckpointWindow = new[] { 4, 8, 16 }[random.Next(3)],
            MaxBatchSize = random.Next(1, 6),
            LossRate = new[] { 0, 0, 0.01, 0.05, 0.1 }[random.Next(5)],
            DuplicateRate = new[] { 0, 0.02, 0.1 }[random.Next(3)],
            MinDelayMs = random.Next(0, 3),
            MaxDelayMs = new[] { 3, 10, 30, 80 }[random.Next(4)],
            Byzantine = byzantine,
            Crashes = crashes,
            Restores = restores,
            Partition = partition,
            CrashesHitSyncs = random.NextDouble() < 0.5,
        }
            .WithLargeValues(random)
            .WithSegments(random)
            .WithOversized(random)
            .WithSessionProofs(random);
    }

    /// <summary>Half the seeds deliver requests as proven sessions do (<see cref="SessionProofs"/>). Drawn last:
    /// earlier seeds keep their scenario.</summary>
    private SimulationScenario WithSessionProofs(Random random) =>
        this with
        {
            SessionProofs = random.NextDouble() < 0.5,
        };

    /// <summary>One Byzantine replica in nine becomes <see cref="ByzantineMode.Oversized"/> (the share each other
    /// mode has). Drawn last: earlier seeds keep their scenario.</summary>
    private SimulationScenario WithOversized(Random random)
    {
        if (Byzantine.Count == 0 || random.Next(9) != 0)
        {
            return this;
        }

        var byzantine = new Dictionary<int, ByzantineMode>(Byzantine);
        byzantine[byzantine.Keys.Min()] = ByzantineMode.Oversized;
        return this with { Byzantine = byzantine };
    }

    /// <summary>State transfer in segments from half a kilobyte (many, with a second pass) to the server's size (one
    /// pass). Drawn last: earlier seeds keep their scenario.</summary>
    private SimulationScenario WithSegments(Random random) =>
        this with
        {
            StateTransferSegmentBytes = new[] { 512, 4096, 65536, BlockTransfer.DefaultSegmentBytes }[random.Next(4)],
        };

    /// <summary>One seed in four carries 16–40 KB values under the smallest batch byte budget (64 KiB), so batches are
    /// cut by bytes and view changes carry proposals of large batches. Drawn last: earlier seeds keep their
    /// scenario.</summary>
    private SimulationScenario WithLargeValues(Random random) =>
        random.NextDouble() < 0.25
            ? this with
            {
                ValueBytes = random.Next(16 * 1024, 40 * 1024),
                MaxBatchBytes = ConsensusKeys.MaxBatchSizeInBytes.Min,
            }
            : this;

    /// <summary>
    /// A harsher random scenario: heavy loss, a partition that may leave no side with a quorum, and replicas that
    /// crash and restart several times (at most f of them), all before the heal.
    /// </summary>
    public static SimulationScenario Harsh(int seed, int f)
    {
        var random = new Random(seed);
        var n = (3 * f) + 1;
        var crashes = new List<(int, TimeSpan, TimeSpan?)>();
        foreach (var replica in Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(random.Next(0, f + 1)))
        {
            var at = random.Next(0, 800);
            while (at < 3500)
            {
                var up = at + random.Next(50, 700);
                crashes.Add((replica, TimeSpan.FromMilliseconds(at), TimeSpan.FromMilliseconds(up)));
                at = up + random.Next(100, 900);
            }
        }

        var isolated = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(random.Next(1, (n / 2) + 1)).ToList();
        var start = TimeSpan.FromMilliseconds(random.Next(0, 1500));
        return FromSeed(seed, f) with
        {
            Byzantine = new Dictionary<int, ByzantineMode>(),
            Crashes = crashes,
            Restores = [],
            Partition = (isolated, start, start + TimeSpan.FromMilliseconds(random.Next(300, 2500))),
            LossRate = new[] { 0.1, 0.2, 0.3 }[random.Next(3)],
            DuplicateRate = 0.1,
            HealAt = TimeSpan.FromSeconds(4),
        };
    }

    public override string ToString() =>
        $"seed={Seed} f={F} clients={Clients}x{RequestsPerClient} window={CheckpointWindow} batch={MaxBatchSize} "
        + $"loss={LossRate} dup={DuplicateRate} "
        + $"delay={MinDelayMs}-{MaxDelayMs}ms "
        + $"byzantine=[{string.Join(",", Byzantine.Select(b => $"{b.Key}:{b.Value}"))}] "
        + $"crashes=[{string.Join(",", Crashes.Select(c =>
            $"{c.Replica}@{c.At.TotalMilliseconds}ms->{c.RestartAt?.TotalMilliseconds.ToString() ?? "heal"}"))}] "
        + $"restores=[{string.Join(",", Restores.Select(c =>
            $"{c.Replica}@{c.At.TotalMilliseconds}ms->{c.RestartAt?.TotalMilliseconds.ToString() ?? "heal"}"))}] "
        + (CrashesHitSyncs ? "crashesHitSyncs " : "")
        + $"segment={StateTransferSegmentBytes}B "
        + $"partition={(Partition is { } p
            ? $"[{string.Join(",", p.Isolated)}]@{p.Start.TotalMilliseconds}-{p.End.TotalMilliseconds}ms"
            : "none")}"
        + (PlantedQuorum is { } q ? $" plantedQuorum={q}" : "")
        + (SessionProofs ? " sessionProofs" : "");
}
