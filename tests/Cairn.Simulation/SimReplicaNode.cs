using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>One simulated replica machine: the replica, its durable store and ledger (both survive crashes).</summary>
public sealed class SimReplicaNode(int id, ReplicaOptions options, ByzantineMode byzantine)
{
    private readonly Dictionary<string, PersistentRecord> _store = [];

    public int Id { get; } = id;

    public ReplicaOptions Options { get; } = options;

    public ByzantineMode Byzantine { get; } = byzantine;

    public bool IsCorrect => Byzantine == ByzantineMode.None;

    public Replica? Replica { get; private set; } = new(options);

    public bool Alive => Replica is not null;

    /// <summary>Incremented on every crash, so local events scheduled before it are discarded.</summary>
    public int Generation { get; private set; }

    public HashChainApp App { get; } = new();

    public int Restarts { get; private set; }

    public int StateTransfers { get; set; }

    public void Persist(PersistentRecord record)
    {
        _store[record.Key] = record;
        if (record is StableCheckpointRecord stable)
        {
            // The host may discard promises below the stable checkpoint.
            foreach (
                var key in _store
                    .Where(kv => kv.Value is SlotRecord s && s.Seq <= stable.Certificate.Seq)
                    .Select(kv => kv.Key)
                    .ToList()
            )
            {
                _store.Remove(key);
            }
        }
    }

    public void Crash()
    {
        Replica = null;
        Generation++;
    }

    public void Restart()
    {
        Restarts++;
        var recovery = new ReplicaRecovery(
            [.. _store.Values],
            App.LastSeq,
            App.Digest,
            App.LatestReplies(),
            App.LastConsensusTime
        );
        Replica = new Replica(Options, recovery);
    }
}
