namespace Cairn.Simulation;

/// <summary>How a Byzantine replica attacks: each mode is one strategy. Its engine runs normally; the simulator
/// rewrites what it sends and what it serves.</summary>
public enum ByzantineMode
{
    /// <summary>Correct.</summary>
    None,

    /// <summary>Sends nothing at all.</summary>
    Silent,

    /// <summary>Every message it sends carries a corrupted signature, and every reply to a client another
    /// result.</summary>
    BadSignatures,

    /// <summary>As primary, sends one PRE-PREPARE to half the replicas and a conflicting one to the other half, with
    /// matching COMMITs.</summary>
    Equivocating,

    /// <summary>Signs PREPARE and CHECKPOINT messages with random digests, sends COMMITs (which travel unsigned) for
    /// random digests in its own name and for the right digest in every other replica's name, and answers clients with
    /// another result.</summary>
    WrongDigests,

    /// <summary>As primary, never orders client 1's requests but keeps the others and a stream of no-ops going, so
    /// the cluster executes all the time while that client starves.</summary>
    Censoring,

    /// <summary>Asks to leave every view it is in, at every tick (a VIEW-COMPLAINT), so that the complaint of a single
    /// correct replica that merely lags would be enough to push the cluster into a view change.</summary>
    Complaining,

    /// <summary>Lies about where the cluster is: its STATUS claims a view and sequence numbers far ahead, its
    /// VIEW-CHANGEs carry a forged stable certificate (a seq and digest its signatures do not sign), and it answers a
    /// FETCH-BATCH with another batch than the one asked for.</summary>
    Lying,

    /// <summary>As a state-transfer source, serves blocks with one byte changed, or nothing at all (a stall); its
    /// consensus messages are correct.</summary>
    GarbageStateSource,

    /// <summary>Sends what no bound allows: as primary, PRE-PREPAREs whose batch repeats its requests past the batch
    /// count and byte budget; and, now and then, a message larger than the transport carries. Drawn apart from the
    /// others (<see cref="SimulationScenario"/>), so adding it changed no other seed's scenario.</summary>
    Oversized,
}
