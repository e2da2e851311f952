using System.Text.Json;
using Cairn.Operator;

namespace Cairn.Client;

/// <summary>Every replica's newest checkpoint, and the newest one f+1 replicas agree on (same id, seq and
/// digest).</summary>
/// <param name="CreatedAtSeq">The sequence number of the checkpoint <c>op snapshot</c> ordered because there was none;
/// null when it found one.</param>
public sealed record SnapshotReport(
    IReadOnlyList<SnapshotRow> Rows,
    SnapshotCheckpoint? Agreed,
    ulong? CreatedAtSeq = null
)
{
    /// <summary>Fewer than f+1 replicas have any checkpoint, so there is nothing to agree on: one must be
    /// created.</summary>
    public bool NeedsCheckpoint(int f) =>
        Agreed is null && Rows.Count(r => r.Newest is not null) < f + 1 && Rows.Any(r => r.HasNone);

    public static SnapshotReport From(IReadOnlyList<ReplicaAnswer> answers, int f)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var rows = answers.Select(Parse).ToList();
        var agreement = Agreements.Among<(ulong, ulong, string)>(
            [
                .. rows.Where(r => r.Newest is not null)
                    .Select(r => (r.Replica, (r.Newest!.Id, r.Newest.SeqNum, r.Newest.StateDigest))),
            ],
            f + 1
        );
        var agreed = agreement.Reached
            ? rows.First(r => r.Newest is { } n && (n.Id, n.SeqNum, n.StateDigest) == agreement.Value).Newest
            : null;
        return new SnapshotReport(
            [
                .. rows.Select(r =>
                    r with
                    {
                        Differs =
                            agreed is not null
                            && r.Newest is { } n
                            && n.Id == agreed.Id
                            && n.StateDigest != agreed.StateDigest,
                    }
                ),
            ],
            agreed
        );
    }

    private static SnapshotRow Parse(ReplicaAnswer answer)
    {
        if (answer.Json is null)
        {
            return new SnapshotRow(answer.Replica, null, answer.Refusal ?? "no answer", false);
        }

        try
        {
            var snapshot = JsonSerializer.Deserialize(answer.Json, OperatorAnswerJson.Default.SnapshotAnswer);
            return new SnapshotRow(answer.Replica, snapshot?.Newest, null, false);
        }
        catch (JsonException e)
        {
            return new SnapshotRow(
                answer.Replica,
                null,
                $"rejected: the answer is not a snapshot ({e.Message})",
                false
            );
        }
    }
}
