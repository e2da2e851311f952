using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// The consensus keys of a replica's <c>deployment.config</c>: each default and accepted range, written here once.
/// <see cref="ReplicaOptions"/> takes its defaults and validation from these, the config loader reads the keys with
/// them, and docs/configuration.md quotes them (a test compares).
/// </summary>
public static class ConsensusKeys
{
    /// <summary><c>checkpoint_window_size</c>: sequence numbers between checkpoints (concord-bft's default).</summary>
    public static readonly Setting<int> CheckpointWindowSize = new(150, 1, 100_000);

    /// <summary><c>max_num_of_requests_in_batch</c>: most requests in one batch.</summary>
    public static readonly Setting<int> MaxRequestsInBatch = new(400, 1, 100_000);

    /// <summary>
    /// <c>max_batch_size_in_bytes</c>: most encoded bytes of client requests in one batch (64 KiB to 64 MiB). It bounds
    /// the largest PRE-PREPARE, hence what a replica must be able to receive; it must hold the largest request the
    /// client API accepts (<c>max_request_size</c>).
    /// </summary>
    public static readonly Setting<int> MaxBatchSizeInBytes = new(4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024);

    /// <summary><c>batch_flush_period</c>: milliseconds a request waits for a fuller batch while batches are in
    /// flight.</summary>
    public static readonly Setting<int> BatchFlushPeriodMs = new(5, 1, 60_000);

    /// <summary><c>concurrency_level</c>: most batches proposed but not yet executed.</summary>
    public static readonly Setting<int> ConcurrencyLevel = new(3, 1, 30);

    /// <summary>
    /// <c>view_change_timer_millisec</c>: the base view-change timeout. It ends at the cap
    /// (<see cref="ViewChangeTimeoutCap"/>): a base above the cap would never be waited for.
    /// </summary>
    public static readonly Setting<int> ViewChangeTimerMs = new(5000, 100, 60_000);

    /// <summary>The fixed cap of the doubling view-change timeout (not a key).</summary>
    public static readonly TimeSpan ViewChangeTimeoutCap = TimeSpan.FromMilliseconds(ViewChangeTimerMs.Max);
}
