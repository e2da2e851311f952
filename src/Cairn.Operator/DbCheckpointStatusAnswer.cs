namespace Cairn.Operator;

/// <summary>A replica's answer to <c>dbCheckpoint status</c> (JSON through <see cref="OperatorAnswerJson"/>): its
/// complete DB checkpoints, oldest first, and its last skip and failure.</summary>
/// <param name="Enabled">FEATURE_db_checkpoints.</param>
/// <param name="OnDemandArmed">An operator checkpoint waits for the next boundary.</param>
/// <param name="LastDecidedSeq">The boundary of the last checkpoint the replicated state decided (0 for none): every
/// replica takes one there, so a replica whose newest checkpoint is older missed it (the skip or failure says
/// why).</param>
/// <param name="InFlight">Checkpoints taken and not committed yet: what a wait for one watches move.</param>
public sealed record DbCheckpointStatusAnswer(
    int Replica,
    bool Enabled,
    IReadOnlyList<DbCheckpointRow> Checkpoints,
    string? LastSkipReason,
    DateTimeOffset? LastSkipAt,
    long Skips,
    long Failures,
    string? LastFailure,
    bool OnDemandArmed,
    ulong LastDecidedSeq,
    IReadOnlyList<DbCheckpointInFlightRow>? InFlight = null
);
