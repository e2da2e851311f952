using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Consensus;

/// <summary>A replica's consensus configuration. Defaults and ranges of the configurable ones come from
/// <see cref="ConsensusKeys"/>; <see cref="Validate"/> names the bad key and range.</summary>
public sealed record ReplicaOptions
{
    /// <summary>This replica's id, 0..n-1.</summary>
    public required ReplicaId Id { get; init; }

    /// <summary>Faults tolerated; n = 3f+1.</summary>
    public required int F { get; init; }

    /// <summary>Number of replicas, 3f+1.</summary>
    public int N => Quorums.ReplicaCount(F);

    /// <summary>This replica's signing key.</summary>
    public required SigningKey SigningKey { get; init; }

    /// <summary>Every replica's public key, indexed by replica id.</summary>
    public required IReadOnlyList<VerificationKey> ReplicaKeys { get; init; }

    /// <summary>Public keys of the clients (and the operator) whose requests are accepted, by client id.</summary>
    public IReadOnlyDictionary<ulong, VerificationKey> ClientKeys { get; init; } =
        new Dictionary<ulong, VerificationKey>();

    /// <summary>Sequence numbers between checkpoints (concord-bft's checkpoint_window_size).</summary>
    public int CheckpointWindowSize { get; init; } = ConsensusKeys.CheckpointWindowSize.Default;

    /// <summary>Most requests in one batch.</summary>
    public int MaxBatchSize { get; init; } = ConsensusKeys.MaxRequestsInBatch.Default;

    /// <summary>Most encoded bytes in one batch (<see cref="Messages.Batch.EncodedLength"/>); a request too big to fit
    /// a batch alone is dropped on arrival.</summary>
    public int MaxBatchBytes { get; init; } = ConsensusKeys.MaxBatchSizeInBytes.Default;

    /// <summary>Most batches the primary keeps proposed but not yet executed (concord-bft's concurrency_level). Beyond
    /// it,
    /// requests wait for a batch to finish and go out together: under load each consensus round carries many requests
    /// instead of one, so its signatures, messages and fsync are shared.</summary>
    public int ConcurrencyLevel { get; init; } = ConsensusKeys.ConcurrencyLevel.Default;

    /// <summary>Longest a request waits for a fuller batch while earlier batches are in flight.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(ConsensusKeys.BatchFlushPeriodMs.Default);

    /// <summary>Base view-change timeout; it doubles with each view change that fails to complete.</summary>
    public TimeSpan ViewChangeTimeout { get; init; } =
        TimeSpan.FromMilliseconds(ConsensusKeys.ViewChangeTimerMs.Default);

    /// <summary>Upper bound of the growing view-change timeout.</summary>
    public TimeSpan MaxViewChangeTimeout { get; init; } = ConsensusKeys.ViewChangeTimeoutCap;

    /// <summary>How often a replica broadcasts its STATUS, which drives retransmission.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How far a PRE-PREPARE's timestamp may be from a backup's own time.</summary>
    public TimeSpan ConsensusTimeBound { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Test-only: replaces 2f+1 as the prepare/commit quorum, to plant a bug the simulator's safety checker must catch.
    /// </summary>
    internal int? TestOnlyQuorumOverride { get; init; }

    /// <summary>Test-only: as primary, never proposes this client's requests (the simulator's censoring
    /// primary).</summary>
    internal ulong? TestOnlyCensoredClient { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting and its accepted range.</summary>
    public void Validate()
    {
        Check(F >= 0 && F <= 50, nameof(F), "0..50");
        Check(Id.Value >= 0 && Id.Value < N, nameof(Id), $"0..{N - 1}");
        Check(SigningKey is not null, nameof(SigningKey), "a key");
        Check(
            ReplicaKeys is not null && ReplicaKeys.Count == N && ReplicaKeys.All(k => k is not null),
            nameof(ReplicaKeys),
            $"exactly {N} keys"
        );
        Check(
            ReplicaKeys![Id.Value].Equals(SigningKey!.PublicKey),
            nameof(SigningKey),
            "the key whose public key is ReplicaKeys[Id]"
        );
        Check(ClientKeys is not null, nameof(ClientKeys), "a map");
        Check(
            ConsensusKeys.CheckpointWindowSize.Accepts(CheckpointWindowSize),
            nameof(CheckpointWindowSize),
            ConsensusKeys.CheckpointWindowSize.Range
        );
        Check(
            ConsensusKeys.MaxRequestsInBatch.Accepts(MaxBatchSize),
            nameof(MaxBatchSize),
            ConsensusKeys.MaxRequestsInBatch.Range
        );
        Check(
            ConsensusKeys.MaxBatchSizeInBytes.Accepts(MaxBatchBytes),
            nameof(MaxBatchBytes),
            ConsensusKeys.MaxBatchSizeInBytes.Range
        );
        Check(
            ConsensusKeys.ConcurrencyLevel.Accepts(ConcurrencyLevel),
            nameof(ConcurrencyLevel),
            ConsensusKeys.ConcurrencyLevel.Range
        );
        Check(BatchTimeout >= TimeSpan.Zero, nameof(BatchTimeout), ">= 0");
        Check(ViewChangeTimeout > TimeSpan.Zero, nameof(ViewChangeTimeout), "> 0");
        Check(MaxViewChangeTimeout >= ViewChangeTimeout, nameof(MaxViewChangeTimeout), ">= ViewChangeTimeout");
        Check(StatusInterval > TimeSpan.Zero, nameof(StatusInterval), "> 0");
        Check(ConsensusTimeBound > TimeSpan.Zero, nameof(ConsensusTimeBound), "> 0");
        if (MessageBounds.CeilingViolation(F, CheckpointWindowSize, MaxBatchBytes) is { } violation)
        {
            throw new ArgumentException(
                $"consensus option {nameof(CheckpointWindowSize)} is out of range: {violation}",
                nameof(CheckpointWindowSize)
            );
        }
    }

    private static void Check(bool ok, string key, string range)
    {
        if (!ok)
        {
            throw new ArgumentException($"consensus option {key} is out of range: expected {range}", key);
        }
    }
}
