namespace Cairn.Simulation;

/// <summary>How a Byzantine replica lies. Its replica logic runs normally; the simulator rewrites what it
/// sends.</summary>
public enum ByzantineMode
{
    /// <summary>Correct.</summary>
    None,

    /// <summary>Sends nothing at all.</summary>
    Silent,

    /// <summary>Every message it sends carries a corrupted signature.</summary>
    BadSignatures,

    /// <summary>As primary, sends one PRE-PREPARE to half the replicas and a conflicting one to the other half, with
    /// matching COMMITs.</summary>
    Equivocating,

    /// <summary>Signs PREPARE, COMMIT and CHECKPOINT messages with random digests.</summary>
    WrongDigests,

    /// <summary>As primary, never orders client 1's requests but keeps the others and a stream of no-ops going, so
    /// the cluster executes all the time while that client starves.</summary>
    Censoring,

    /// <summary>Asks to leave every view it is in, at every tick (a VIEW-COMPLAINT), so that the complaint of a single
    /// correct replica that merely lags would be enough to push the cluster into a view change.</summary>
    Complaining,
}
