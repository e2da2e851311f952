using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Ledger;
using Cairn.Node.Execution;
using Cairn.Node.Hosting;
using Cairn.Operator;
using Cairn.Protocol.Kv;

namespace Cairn.Simulation;

/// <summary>
/// A deterministic cluster: replicas (each the engine the server runs, over an in-memory ledger) and clients in one
/// process, an in-memory network and virtual time, all driven by one seed. The same scenario always replays the same
/// run. Each replica's clock is off by a fixed amount and runs at its own rate.
/// </summary>
public sealed class Cluster
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ClientRetry = TimeSpan.FromMilliseconds(600);

    // How far apart the replicas' clocks are: a fixed offset, and a rate off by up to this fraction.
    private const int MaxClockOffsetMs = 2000;
    private const double MaxClockRateError = 0.005;

    // How long a group of inputs waits for its sync (the engine's Commit): a crash in between loses its writes.
    private const int MaxSyncMs = 5;
    private static readonly ulong CensoredClient = ClientIdentity.ClientId(1, 0);

    private readonly PriorityQueue<Action, (TimeSpan, long)> _queue = new();
    private readonly Random _random;
    private readonly SigningKey[] _replicaSigningKeys;
    private long _order;
    private bool _healed;
    private IReadOnlyList<int> _isolated = [];
    private readonly int _thinkTimeMs;
    private Digest _fingerprint;

    public Cluster(SimulationScenario scenario)
    {
        Scenario = scenario;
        _random = new Random(scenario.Seed);
        // Spread each client's requests over the fault phase, so faults hit a busy cluster.
        _thinkTimeMs = (int)(
            2 * Math.Min(scenario.HealAt.TotalMilliseconds, 3000) / Math.Max(1, scenario.RequestsPerClient)
        );
        var n = scenario.N;
        _replicaSigningKeys = [.. Enumerable.Range(0, n).Select(i => KeyFor(1, i))];
        ReplicaKeys = [.. _replicaSigningKeys.Select(k => k.PublicKey)];
        var clients = Enumerable
            .Range(0, scenario.Clients)
            .Select(i => new SimClient(
                ClientIdentity.ClientId(i + 1, 0),
                KeyFor(2, i),
                scenario.RequestsPerClient,
                scenario.ValueBytes
            ))
            .ToList();
        Clients = clients;
        var clientKeys = clients.ToDictionary(c => c.Id, c => c.Key.PublicKey);
        RogueClient = ClientIdentity.ClientId(scenario.Clients + 1, 0);
        clientKeys[RogueClient] = KeyFor(2, scenario.Clients).PublicKey;
        Safety = new SafetyMonitor(ReplicaKeys, scenario.F);
        var operatorVerifier = new OperatorCommandVerifier(KeyFor(3, 0).PublicKey, "sim", TimeSpan.FromMinutes(5));
        Replicas =
        [
            .. Enumerable
                .Range(0, n)
                .Select(i =>
                {
                    var mode = scenario.Byzantine.TryGetValue(i, out var m) ? m : ByzantineMode.None;
                    var options = new ReplicaOptions
                    {
                        Id = new ReplicaId(i),
                        F = scenario.F,
                        SigningKey = _replicaSigningKeys[i],
                        ReplicaKeys = ReplicaKeys,
                        ClientKeys = clientKeys,
                        CheckpointWindowSize = scenario.CheckpointWindow,
                        MaxBatchSize = scenario.MaxBatchSize,
                        MaxBatchBytes = scenario.MaxBatchBytes,
                        BatchTimeout = TimeSpan.FromMilliseconds(5),
                        ViewChangeTimeout = TimeSpan.FromMilliseconds(400),
                        MaxViewChangeTimeout = TimeSpan.FromSeconds(4),
                        StatusInterval = TimeSpan.FromMilliseconds(100),
                        TestOnlyQuorumOverride = mode == ByzantineMode.None ? scenario.PlantedQuorum : null,
                        TestOnlyCensoredClient = mode == ByzantineMode.Censoring ? CensoredClient : null,
                    };
                    return new SimReplicaNode(i, options, mode, operatorVerifier)
                    {
                        ClockOffset = TimeSpan.FromMilliseconds(_random.Next(-MaxClockOffsetMs, MaxClockOffsetMs + 1)),
                        ClockRate = 1 + ((_random.NextDouble() * 2) - 1) * MaxClockRateError,
                    };
                }),
        ];
    }

    public SimulationScenario Scenario { get; }

    /// <summary>The client that, in <see cref="SimulationScenario.SessionProofs"/> runs, sends requests signed by a key
    /// other than its own as if its session vouched for them.</summary>
    public ulong RogueClient { get; }

    /// <summary>How many requests the rogue client sent.</summary>
    public int RogueRequestsSent { get; private set; }

    /// <summary>The largest message the replicas' options allow (<see cref="MessageBounds"/>).</summary>
    public long MaxMessageBytes =>
        MessageBounds.MaxMessageBytes(Scenario.F, Scenario.CheckpointWindow, Scenario.MaxBatchBytes);

    public TimeSpan Now { get; private set; }

    public IReadOnlyList<VerificationKey> ReplicaKeys { get; }

    public IReadOnlyList<SimReplicaNode> Replicas { get; }

    public IReadOnlyList<SimClient> Clients { get; }

    public SafetyMonitor Safety { get; }

    public long MessagesDelivered { get; private set; }

    public long MessagesDropped { get; private set; }

    public int ViewChanges { get; private set; }

    public int StateTransfers { get; private set; }

    /// <summary>How many state transfers ended short of their target (no source reachable served the chain to the
    /// certified digest, or the replica crashed between segments); the replica asks again later.</summary>
    public int StateTransferRetries { get; private set; }

    /// <summary>How many messages an oversized replica sent past a bound (a batch budget or the transport's).</summary>
    public int OversizedSent { get; private set; }

    /// <summary>How many replicas crashed between two segments of a state transfer.</summary>
    public int CrashesBetweenSegments { get; private set; }

    /// <summary>How many times a garbage state source served a changed block or stalled.</summary>
    public int GarbageServed { get; private set; }

    /// <summary>How many state transfers installed more than one segment (a second pass).</summary>
    public int SegmentedStateTransfers { get; private set; }

    /// <summary>How many atomic ledger writes crashes undid because they were not synced yet.</summary>
    public int WritesLostInCrashes { get; private set; }

    /// <summary>How many replicas were restored from a checkpoint after losing their disk.</summary>
    public int Restores { get; private set; }

    /// <summary>A hash over every execution (replica, seq, state, virtual time): equal for identical runs.</summary>
    public Digest Fingerprint => _fingerprint;

    public IEnumerable<SimReplicaNode> CorrectReplicas => Replicas.Where(r => r.IsCorrect && r.Alive);

    /// <summary>Runs the whole scenario: faults, heal, liveness deadline, optional final checkpoint. Returns a failure
    /// description or null.</summary>
    public string? Run()
    {
        Start();
        RunUntil(() => Clients.All(c => c.Done) && (_healed || Scenario.HealAt > Scenario.Deadline), Scenario.Deadline);
        if (Safety.Violations.Count == 0 && Clients.Any(c => !c.Done))
        {
            return Describe(
                $"liveness: {Clients.Sum(c => c.Completed)}/{Clients.Sum(c => c.Total)} requests completed by "
                    + $"{Scenario.Deadline}"
            );
        }

        if (Safety.Violations.Count == 0 && Scenario.RequireFinalCheckpoint)
        {
            var orderedAt = CorrectReplicas.Max(r => r.Status.LastExecuted.Value);
            var target =
                (orderedAt / (ulong)Scenario.CheckpointWindow * (ulong)Scenario.CheckpointWindow)
                + (ulong)Scenario.CheckpointWindow;
            foreach (var node in Replicas)
            {
                Input(node, new RequestCheckpointSoon(new SeqNum(orderedAt)));
            }

            bool Reached(SimReplicaNode r) =>
                r.Status.LastStable.Value >= target && r.Ledger.Head.LastSeqNum.Value >= target;
            RunUntil(() => CorrectReplicas.All(Reached), Now + TimeSpan.FromSeconds(60));
            if (Safety.Violations.Count == 0 && !CorrectReplicas.All(Reached))
            {
                return Describe(
                    $"liveness: checkpoint-soon did not make seq {target} stable at every correct replica "
                        + $"(stable/executed: "
                        + string.Join(
                            ",",
                            CorrectReplicas.Select(r => $"{r.Status.LastStable}/{r.Ledger.Head.LastSeqNum}")
                        )
                        + ")"
                );
            }
        }

        var errors = Safety.Violations.Concat(Clients.SelectMany(c => c.Errors)).ToList();
        return errors.Count == 0 ? null : Describe("safety: " + string.Join("; ", errors.Take(5)));
    }

    public void Start()
    {
        foreach (var node in Replicas)
        {
            At(TimeSpan.FromMilliseconds(_random.Next(0, 10)), () => TickLoop(node, node.Generation));
        }

        foreach (var client in Clients)
        {
            At(TimeSpan.FromMilliseconds(_random.Next(0, 50)), () => SendNext(client));
        }

        if (Scenario.SessionProofs)
        {
            At(TimeSpan.FromMilliseconds(_random.Next(0, 50)), SendRogue);
        }

        foreach (var (replica, at, restartAt) in Scenario.Crashes)
        {
            var node = Replicas[replica];
            At(at, () => CrashOrArm(node));
            if (restartAt is { } restart)
            {
                At(restart, () => Restart(node));
            }
        }

        foreach (var (replica, at, restartAt) in Scenario.Restores)
        {
            var node = Replicas[replica];
            At(at, () => LoseDiskAndRestore(node));
            if (restartAt is { } restart)
            {
                At(restart, () => Restart(node));
            }
        }

        if (Scenario.Partition is { } partition)
        {
            At(partition.Start, () => _isolated = partition.Isolated);
            At(partition.End, () => _isolated = []);
        }

        At(Scenario.HealAt, Heal);
    }

    public void RunUntil(Func<bool> done, TimeSpan limit)
    {
        while (!done() && _queue.TryPeek(out var action, out var when) && when.Item1 <= limit)
        {
            _queue.Dequeue();
            Now = when.Item1;
            action();
        }
    }

    public void At(TimeSpan when, Action action) => _queue.Enqueue(action, (when < Now ? Now : when, _order++));

    private void After(TimeSpan delay, Action action) => At(Now + delay, action);

    public void Input(SimReplicaNode node, ConsensusInput input) => Drive(node, engine => engine.Handle(input));

    /// <summary>Runs <paramref name="step"/> on a live replica's engine, then schedules the group's sync.</summary>
    private void Drive(SimReplicaNode node, Action<ReplicaEngine> step)
    {
        if (node.Engine is not { } engine)
        {
            return;
        }

        try
        {
            step(engine);
        }
        catch (Exception e)
        {
            // The server stops a replica whose consensus thread throws (a broken invariant, a storage error): so does
            // the simulator, and for a correct replica that is a failure of the run.
            if (node.IsCorrect)
            {
                Safety.OnInvariant(node.Id, $"stopped on {e.GetType().Name}: {e.Message}");
            }

            Crash(node);
            return;
        }

        ScheduleCommit(node);
    }

    /// <summary>The group of inputs a replica handled becomes durable a little later, in one sync; only then is what it
    /// decided said.</summary>
    private void ScheduleCommit(SimReplicaNode node)
    {
        if (node.CommitPending)
        {
            return;
        }

        node.CommitPending = true;
        var generation = node.Generation;
        After(
            TimeSpan.FromMilliseconds(_random.Next(1, MaxSyncMs + 1)),
            () =>
            {
                if (node.Generation == generation && node.Engine is { } engine)
                {
                    if (node.CrashBeforeNextSync && node.Ledger.UnsyncedWriteCount > 0)
                    {
                        Crash(node, loseAtLeastOne: true);
                        return;
                    }

                    node.CommitPending = false;
                    Perform(node, engine.Commit());
                }
            }
        );
    }

    /// <summary>A scheduled crash: at once, or, when the scenario says crashes hit syncs, when the replica next has
    /// written something and is about to sync it.</summary>
    private void CrashOrArm(SimReplicaNode node)
    {
        if (Scenario.CrashesHitSyncs && node.Alive)
        {
            node.CrashBeforeNextSync = true;
        }
        else
        {
            Crash(node);
        }
    }

    /// <summary>A crash loses the writes of the group not yet synced, all of them or all but a prefix (at least one
    /// when <paramref name="loseAtLeastOne"/>).</summary>
    public void Crash(SimReplicaNode node, bool loseAtLeastOne = false)
    {
        if (node.Alive)
        {
            var unsynced = node.Ledger.UnsyncedWriteCount;
            var kept = _random.Next(0, loseAtLeastOne && unsynced > 0 ? unsynced : unsynced + 1);
            WritesLostInCrashes += unsynced - kept;
            node.Crash(kept);
        }
    }

    /// <summary>
    /// The replica's machine stops and its database is lost; it is restored, as <c>cairn restore</c> does, from a
    /// live peer's checkpoint at that peer's newest stable boundary it holds: the peer's blocks up to there, re-derived
    /// into a new ledger, no consensus record of either replica, and the record that makes it learn its peers' view
    /// and stable checkpoint before it signs again (<see cref="RestoreRecord"/>). It restarts as a crash would.
    /// </summary>
    private void LoseDiskAndRestore(SimReplicaNode node)
    {
        Crash(node);
        var ledger = new InMemoryLedger("sim");
        if (Replicas.Where(r => r != node && r.Alive).OrderBy(_ => _random.Next()).FirstOrDefault() is { } source)
        {
            var window = (ulong)Scenario.CheckpointWindow;
            var boundary =
                Math.Min(source.Status.LastStable.Value, source.Ledger.Head.LastSeqNum.Value) / window * window;
            foreach (var block in source.Ledger.ReadBlocks(new BlockId(1)).TakeWhile(b => b.SeqNum.Value <= boundary))
            {
                ledger.Install(block);
            }
        }

        new ConsensusStateStore(ledger).Persist([RestoreRecord.Learning]);
        ledger.Sync();
        node.ReplaceDisk(ledger);
        Restores++;
    }

    public void Heal()
    {
        _healed = true;
        _isolated = [];
        foreach (var node in Replicas.Where(r => !r.Alive))
        {
            Restart(node);
        }
    }

    public void Restart(SimReplicaNode node)
    {
        if (node.Alive)
        {
            return;
        }

        node.Restart();
        TickLoop(node, node.Generation);
    }

    private void TickLoop(SimReplicaNode node, int generation)
    {
        if (node.Generation != generation || !node.Alive)
        {
            return;
        }

        Input(node, new Tick(node.Clock(Epoch, Now)));
        if (
            node.Byzantine == ByzantineMode.Censoring
            && node.Alive
            && node.Status is { ViewActive: true } primary
            && primary.Primary.Value == node.Id
        )
        {
            // Keep the window filling with no-ops: executions never stop, only the censored client's requests wait.
            Input(node, new RequestCheckpointSoon());
        }

        if (node.Byzantine == ByzantineMode.Complaining && node.Alive && node.Status is { ViewActive: true } status)
        {
            var complaint = SignAs(node, new ViewComplaint(status.View, new ReplicaId(node.Id)));
            SendMessage(node, [.. Enumerable.Range(0, Scenario.N).Where(i => i != node.Id)], complaint);
        }

        After(TickInterval, () => TickLoop(node, generation));
    }

    private void Perform(SimReplicaNode node, IReadOnlyList<ConsensusOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case Send send:
                    SendMessage(node, [send.To.Value], send.Message);
                    break;
                case Broadcast broadcast:
                    SendMessage(node, [.. Enumerable.Range(0, Scenario.N).Where(i => i != node.Id)], broadcast.Message);
                    break;
                case Execute execute:
                    OnExecuted(node, execute);
                    break;
                case ReplyToClient reply:
                    SendReply(node, reply);
                    break;
                case StableCheckpoint stable when node.IsCorrect:
                    Safety.OnStable(node.Id, stable.Seq, stable.StateDigest, stable.Certificate);
                    break;
                case FetchState fetch:
                    var generation = node.Generation;
                    After(TimeSpan.FromMilliseconds(_random.Next(5, 30)), () => TransferState(node, generation, fetch));
                    break;
                case ViewEntered:
                    ViewChanges++;
                    break;
            }
        }
    }

    /// <summary>An execution the replica made durable: the safety monitor compares it with the other
    /// replicas'.</summary>
    private void OnExecuted(SimReplicaNode node, Execute execute)
    {
        // Every sequence number is one block, from genesis on: the block at seq n has id n.
        var digest = node.Ledger.GetBlock(new BlockId(execute.Seq.Value))!.Digest;
        if (node.IsCorrect)
        {
            Safety.OnExecuted(node.Id, execute.Seq, execute.Batch, execute.ConsensusTime, digest);
            if (execute.Batch.Requests.Any(r => r.ClientId == RogueClient))
            {
                Safety.OnInvariant(node.Id, $"executed at seq {execute.Seq} a request of the rogue client");
            }
        }

        var trace = new byte[Digest.Size * 2 + 24];
        _fingerprint.WriteTo(trace);
        digest.WriteTo(trace.AsSpan(Digest.Size));
        BitConverter.TryWriteBytes(trace.AsSpan(64), node.Id);
        BitConverter.TryWriteBytes(trace.AsSpan(68), execute.Seq.Value);
        BitConverter.TryWriteBytes(trace.AsSpan(76), Now.Ticks);
        _fingerprint = Digest.Compute(trace);
    }

    /// <summary>
    /// Fetches the blocks a lagging replica asked for from the certificate's signers, in random order, and installs
    /// them with the engine, segment by segment, as the server does (<see cref="BlockTransfer"/>). A replica armed to
    /// crash before its next sync crashes between two segments, with what it installed not yet synced.
    /// </summary>
    private void TransferState(SimReplicaNode node, int generation, FetchState fetch)
    {
        if (node.Generation != generation || !node.Alive || !node.Status.TransferringState)
        {
            return;
        }

        var source = new SimBlockSource(
            (peer, from, toSeq) =>
            {
                var server = Replicas[peer.Value];
                return server.Alive && Reachable(peer.Value, node.Id) ? Serve(server, from, toSeq) : [];
            }
        );
        var segments = 0;
        var transfer = new BlockTransfer(source, Scenario.StateTransferSegmentBytes, TimeSpan.Zero).RunAsync(
            node.Ledger.Head,
            fetch.TargetSeq,
            fetch.CertifiedDigest,
            [.. fetch.Peers.OrderBy(_ => _random.Next())],
            (blocks, last) =>
            {
                var installed = false;
                Drive(node, engine => installed = engine.InstallFetchedBlocks(fetch, blocks, last));
                segments++;
                if (installed && !last && (node.CrashBeforeNextSync || CrashesBetweenSegmentsNow(node)))
                {
                    Crash(node);
                    CrashesBetweenSegments++;
                    installed = false;
                }

                return Task.FromResult(installed && node.Alive);
            },
            CancellationToken.None
        );
        if (!transfer.IsCompleted)
        {
            throw new InvalidOperationException("a simulated state transfer must end within its instant");
        }

        if (!transfer.Result)
        {
            StateTransferRetries++; // nobody reachable served the chain, or a segment was refused: asked again later
            return;
        }

        StateTransfers++;
        node.StateTransfers++;
        SegmentedStateTransfers += segments > 1 ? 1 : 0;
        if (node.IsCorrect)
        {
            // Consensus may have executed past the target at once: the block at the target is the one installed.
            var installed = node.Ledger.GetBlock(new BlockId(fetch.TargetSeq.Value))!.Digest;
            Safety.OnStateTransferred(node.Id, fetch.TargetSeq, installed);
        }
    }

    /// <summary>Whether a replica the scenario crashes anyway also crashes in the middle of a state transfer before the
    /// heal (half the time, when crashes hit syncs); it restarts a little later, with some of what it installed
    /// lost.</summary>
    private bool CrashesBetweenSegmentsNow(SimReplicaNode node)
    {
        var crashes = Scenario.Crashes.Concat(Scenario.Restores).Any(c => c.Replica == node.Id);
        if (!crashes || !Scenario.CrashesHitSyncs || _healed || _random.NextDouble() >= 0.5)
        {
            return false;
        }

        var down = node.Generation + 1; // the generation the crash starts
        After(
            TimeSpan.FromMilliseconds(_random.Next(50, 500)),
            () =>
            {
                if (node.Generation == down)
                {
                    Restart(node);
                }
            }
        );
        return true;
    }

    /// <summary>The blocks <paramref name="peer"/> serves from <paramref name="from"/> up to
    /// <paramref name="target"/>: its own, unless it is a garbage source.</summary>
    private List<Block> Serve(SimReplicaNode peer, BlockId from, SeqNum target)
    {
        var blocks = peer.Ledger.ReadBlocks(from).TakeWhile(b => b.SeqNum <= target).ToList();
        if (peer.Byzantine != ByzantineMode.GarbageStateSource || blocks.Count == 0)
        {
            return blocks;
        }

        GarbageServed++;
        if (_random.NextDouble() < 0.5)
        {
            return []; // a stall: nothing comes
        }

        var victim = _random.Next(blocks.Count);
        var bytes = blocks[victim].Encoded.ToArray();
        bytes[_random.Next(bytes.Length)] ^= 0x20;
        try
        {
            blocks[victim] = Block.Decode(bytes);
            return blocks;
        }
        catch (Exception e) when (e is CanonicalEncodingException or ArgumentException)
        {
            return blocks[..victim]; // the changed byte made the block undecodable: the stream stops there
        }
    }

    private bool Reachable(int a, int b) => _isolated.Contains(a) == _isolated.Contains(b);

    private bool Lose() => !_healed && _random.NextDouble() < Scenario.LossRate;

    private TimeSpan Delay() => TimeSpan.FromMilliseconds(_random.Next(Scenario.MinDelayMs, Scenario.MaxDelayMs + 1));

    private void SendMessage(SimReplicaNode from, IReadOnlyList<int> to, ConsensusMessage message)
    {
        switch (from.Byzantine)
        {
            case ByzantineMode.Silent:
                return;
            case ByzantineMode.BadSignatures:
                var bytes = message.Encode();
                bytes[^1] ^= 0x5A;
                Deliver(from, to, bytes);
                return;
            case ByzantineMode.WrongDigests when message is Commit commit:
                // Forged votes for what its peers prepare would let them commit early: only the link refuses them.
                for (var other = 0; other < Replicas.Count; other++)
                {
                    Deliver(from, to, (commit with { Sender = new ReplicaId(other) }).Encode());
                }

                Deliver(from, to, (commit with { Digest = RandomDigest() }).Encode());
                return;
            case ByzantineMode.WrongDigests:
                message = message switch
                {
                    Prepare p => SignAs(from, p with { Digest = RandomDigest() }),
                    CheckpointMessage cp => SignAs(from, cp with { StateDigest = RandomDigest() }),
                    _ => message,
                };
                break;
            case ByzantineMode.Lying:
                message = message switch
                {
                    StatusMessage status => SignAs(
                        from,
                        status with
                        {
                            View = new ViewNum(status.View.Value + 1000),
                            ViewActive = true,
                            LastStable = new SeqNum(status.LastStable.Value + 1_000_000),
                            LastExecuted = new SeqNum(status.LastExecuted.Value + 1_000_000),
                        }
                    ),
                    ViewChange viewChange => SignAs(
                        from,
                        viewChange with
                        {
                            Stable = new StableCheckpointCertificate(
                                new SeqNum(
                                    (viewChange.Stable?.Seq.Value ?? 0) + (100 * (ulong)Scenario.CheckpointWindow)
                                ),
                                RandomDigest(),
                                viewChange.Stable?.Signatures ?? []
                            ),
                        }
                    ),
                    BatchBody body => SignAs(from, body with { Batch = Batch.NoOp }),
                    _ => message,
                };
                break;
            case ByzantineMode.Oversized:
                SendOversized(from, to, message);
                return;
            case ByzantineMode.Equivocating when message is PrePrepare pp && to.Count > 1:
                var alternative = SignAs(
                    from,
                    new PrePrepare(
                        pp.View,
                        pp.Seq,
                        pp.TimestampMs + 1,
                        new Batch((pp.Batch?.Requests ?? []).Reverse()),
                        pp.Sender
                    )
                );
                var groupA = to.Where((_, i) => i % 2 == 0).ToList();
                var groupB = to.Where((_, i) => i % 2 == 1).ToList();
                Deliver(from, groupA, pp.Encode());
                Deliver(from, groupA, CommitTo(pp, pp.Digest).Encode());
                Deliver(from, groupB, alternative.Encode());
                Deliver(from, groupB, CommitTo(pp, alternative.Digest).Encode());
                return;
            case ByzantineMode.Equivocating when message is NewView nv && to.Count > 1:
                // Two valid NEW-VIEWs for one view: the gap no-ops get another timestamp, hence other digests.
                var otherPrePrepares = nv
                    .PrePrepares.Select(p =>
                        p.TimestampMs == nv.TimestampMs && p.WithBatch(Batch.NoOp) is not null
                            ? SignAs(from, new PrePrepare(p.View, p.Seq, p.TimestampMs + 1, Batch.NoOp, p.Sender))
                            : p
                    )
                    .ToList();
                var otherNewView = SignAs(
                    from,
                    new NewView(nv.View, nv.TimestampMs + 1, nv.ViewChanges, otherPrePrepares, nv.Sender)
                );
                Deliver(from, [.. to.Where((_, i) => i % 2 == 0)], nv.Encode());
                Deliver(from, [.. to.Where((_, i) => i % 2 == 1)], otherNewView.Encode());
                return;
        }

        Deliver(from, to, message.Encode());
    }

    private void Deliver(SimReplicaNode from, IReadOnlyList<int> to, byte[] bytes)
    {
        // The transport refuses what is over the bound; a correct replica must never produce such a message.
        if (bytes.Length > MaxMessageBytes)
        {
            if (from.Byzantine == ByzantineMode.None)
            {
                Safety.OnOversizedMessage(from.Id, bytes.Length, MaxMessageBytes);
            }

            MessagesDropped += to.Count;
            return;
        }

        foreach (var target in to)
        {
            if (!Reachable(from.Id, target) || Lose())
            {
                MessagesDropped++;
                continue;
            }

            var copies = _random.NextDouble() < Scenario.DuplicateRate ? 2 : 1;
            for (var i = 0; i < copies; i++)
            {
                var node = Replicas[target];
                After(
                    Delay(),
                    () =>
                    {
                        MessagesDelivered++;
                        Input(node, new RawMessageReceived(new ReplicaId(from.Id), bytes));
                    }
                );
            }
        }
    }

    /// <summary>The oversized strategy: a PRE-PREPARE with requests (the batch is what it proposes) goes out with them
    /// repeated past the batch count, which backups refuse (a batch past the byte budget is past the transport's bound
    /// too); one message in five is followed by one past the transport's bound, which the transport drops.</summary>
    private void SendOversized(SimReplicaNode from, IReadOnlyList<int> to, ConsensusMessage message)
    {
        if (message is PrePrepare { Batch.Requests: [_, ..] requests } pp)
        {
            var stuffed = new List<ClientRequest>();
            while (stuffed.Count <= Scenario.MaxBatchSize)
            {
                stuffed.AddRange(requests);
            }

            message = SignAs(from, new PrePrepare(pp.View, pp.Seq, pp.TimestampMs, new Batch(stuffed), pp.Sender));
            OversizedSent++;
        }

        Deliver(from, to, message.Encode());
        if (_random.Next(5) == 0)
        {
            Deliver(from, to, new byte[MaxMessageBytes + 1]);
            OversizedSent++;
        }
    }

    // The primary's COMMIT for its own proposal's slot; COMMITs travel unsigned, and the simulated chain stays at
    // genesis.
    private static Commit CommitTo(PrePrepare pp, Digest digest) =>
        new(pp.View, pp.Seq, digest, ConsensusGeneration.Genesis.Domain, pp.Sender);

    private T SignAs<T>(SimReplicaNode node, T message)
        where T : ConsensusMessage => (T)message.SignWith(_replicaSigningKeys[node.Id]);

    private Digest RandomDigest()
    {
        var bytes = new byte[32];
        _random.NextBytes(bytes);
        return Digest.FromBytes(bytes);
    }

    private void SendReply(SimReplicaNode from, ReplyToClient reply)
    {
        if (from.Byzantine == ByzantineMode.Silent || Lose())
        {
            return;
        }

        var client = Clients.FirstOrDefault(c => c.Id == reply.ClientId);
        if (client is null)
        {
            return;
        }

        var bytes = (
            from.Byzantine is ByzantineMode.BadSignatures or ByzantineMode.WrongDigests
                ? ForgedAnswer(reply.Reply)
                : reply.Reply
        ).Encode();
        After(
            Delay(),
            () =>
            {
                if (client.OnReply(from.Id, ClientReply.Decode(bytes)) && !client.Done)
                {
                    After(TimeSpan.FromMilliseconds(_random.Next(0, _thinkTimeMs + 1)), () => SendNext(client));
                }
            }
        );
    }

    /// <summary>The same request answered with another result (a changed last byte: another value read, another
    /// block id), as one replica of a colluding group would send it.</summary>
    private static ClientReply ForgedAnswer(ClientReply reply)
    {
        var result = reply.Result.ToArray();
        if (result.Length == 0)
        {
            result = [0x5A];
        }
        else
        {
            result[^1] ^= 0x5A;
        }

        return ClientReply.Create(reply.ClientId, reply.RequestId, result);
    }

    private void SendNext(SimClient client)
    {
        if (client.Done || client.Outstanding is not null)
        {
            return;
        }

        var request = client.NextRequest(Scenario.F, Replicas.Count);
        Transmit(client, request);
    }

    private void Transmit(SimClient client, ClientRequest request)
    {
        if (client.Outstanding != request)
        {
            return;
        }

        Broadcast(request);
        After(ClientRetry, () => Transmit(client, request));
    }

    private void Broadcast(ClientRequest request)
    {
        foreach (var node in Replicas)
        {
            if (Lose())
            {
                continue;
            }

            After(
                Delay(),
                () => Input(node, new ClientRequestReceived(request, SessionAuthenticated: Scenario.SessionProofs))
            );
        }
    }

    /// <summary>The rogue client's next request, signed by another key, as if its proven session vouched for it; one
    /// every 50-150 ms until the heal.</summary>
    private void SendRogue()
    {
        RogueRequestsSent++;
        var operation = KvOperation.Put(System.Text.Encoding.UTF8.GetBytes("rogue"), [(byte)RogueRequestsSent]);
        Broadcast(
            ClientRequest.Create(
                RogueClient,
                (ulong)RogueRequestsSent,
                RequestFlags.None,
                operation.Encode(),
                _replicaSigningKeys[0]
            )
        );
        if (Now < Scenario.HealAt)
        {
            After(TimeSpan.FromMilliseconds(_random.Next(50, 151)), SendRogue);
        }
    }

    private string Describe(string failure) =>
        $"{failure}\n  scenario: {Scenario}\n  replay: CAIRN_SIM_SEED={Scenario.Seed} (f={Scenario.F}) dotnet test "
        + $"tests/Cairn.Simulation\n  "
        + string.Join(
            "\n  ",
            Replicas.Select(r =>
                $"replica {r.Id} {(r.IsCorrect ? "" : r.Byzantine.ToString())} "
                + (
                    r.Engine is { } engine && engine.Snapshot() is var status
                        ? $"view={status.View}{(status.ViewActive ? "" : "*")} exec={status.LastExecuted} "
                            + $"stable={status.LastStable} pending={status.PendingRequests} drops=[{engine.Drops}]"
                        : "down"
                )
            )
        );

    private static SigningKey KeyFor(byte kind, int index)
    {
        var seed = new byte[32];
        seed[0] = kind;
        seed[1] = (byte)index;
        seed[2] = (byte)(index >> 8);
        return SigningKey.FromSeed(seed);
    }
}
