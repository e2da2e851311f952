using Cairn.Consensus;
using Cairn.Ledger;
using Cairn.Node.Hosting;
using Cairn.Node.Observability;
using Cairn.Operator;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// One simulated replica machine: the engine the server runs (<see cref="ReplicaEngine"/>: consensus, execution, group
/// commit, pruning, state-transfer install) over an in-memory ledger that survives crashes, less what was not synced.
/// </summary>
public sealed class SimReplicaNode
{
    // Nothing in the simulator reads the meters; one instance serves every replica of every run.
    private static readonly ReplicaMetrics Metrics = new();
    private readonly OperatorCommandVerifier _operatorVerifier;

    public SimReplicaNode(int id, ReplicaOptions options, ByzantineMode byzantine, OperatorCommandVerifier verifier)
    {
        Id = id;
        Options = options;
        Byzantine = byzantine;
        _operatorVerifier = verifier;
        Engine = NewEngine();
    }

    public int Id { get; }

    public ReplicaOptions Options { get; }

    public ByzantineMode Byzantine { get; }

    public bool IsCorrect => Byzantine == ByzantineMode.None;

    /// <summary>The replica's database: what it synced survives a crash.</summary>
    public InMemoryLedger Ledger { get; private set; } = new("sim");

    /// <summary>The running engine; null while the machine is down.</summary>
    public ReplicaEngine? Engine { get; private set; }

    public bool Alive => Engine is not null;

    /// <summary>The engine's state now (only while alive).</summary>
    public ReplicaStatusSnapshot Status => Engine!.Snapshot();

    /// <summary>Incremented on every crash, so local events scheduled before it are discarded.</summary>
    public int Generation { get; private set; }

    /// <summary>True while inputs were handled that no <see cref="ReplicaEngine.Commit"/> has made durable
    /// yet.</summary>
    public bool CommitPending { get; set; }

    public int Restarts { get; private set; }

    /// <summary>Set by a crash that waits for the replica's next sync, to strike just before it.</summary>
    public bool CrashBeforeNextSync { get; set; }

    /// <summary>How far this machine's clock is from the true time at the start.</summary>
    public TimeSpan ClockOffset { get; init; }

    /// <summary>How fast this machine's clock runs: 1 is true time.</summary>
    public double ClockRate { get; init; } = 1;

    /// <summary>What this machine's clock reads at virtual time <paramref name="now"/> of a run that started at
    /// <paramref name="epoch"/>.</summary>
    public DateTimeOffset Clock(DateTimeOffset epoch, TimeSpan now) =>
        epoch + ClockOffset + TimeSpan.FromTicks((long)(now.Ticks * ClockRate));

    public int StateTransfers { get; set; }

    /// <summary>Stops the machine: the writes of the group in progress may be lost, all of them or all but a prefix
    /// (<paramref name="keptWrites"/>), and nothing of that group was said to anyone.</summary>
    public void Crash(int keptWrites)
    {
        Ledger.LoseUnsyncedWrites(keptWrites);
        Engine = null;
        CommitPending = false;
        CrashBeforeNextSync = false;
        Generation++;
    }

    /// <summary>Puts a new disk in the stopped machine: <paramref name="restored"/> is what it holds.</summary>
    public void ReplaceDisk(InMemoryLedger restored)
    {
        if (Alive)
        {
            throw new InvalidOperationException($"replica {Id} is running: stop it before its disk is replaced");
        }

        Ledger = restored;
    }

    /// <summary>Starts the machine again from what its ledger holds, as the server does.</summary>
    public void Restart()
    {
        Restarts++;
        Engine = NewEngine();
    }

    private ReplicaEngine NewEngine() =>
        new(Options, Ledger, _operatorVerifier, checkpoints: null, TimeProvider.System, NullLogger.Instance, Metrics);
}
