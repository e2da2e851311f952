using System.Text.Json;
using Cairn.Core;
using Cairn.Operator;

namespace Cairn.Client;

/// <summary>Values of keys as of one checkpoint, as every replica read them from its own copy of the checkpoint, and
/// per key the value f+1 replicas agree on.</summary>
public sealed record CheckpointReadReport(
    BlockId CheckpointId,
    IReadOnlyList<ReplicaValues> Replicas,
    IReadOnlyList<KeyAgreement> Keys
)
{
    /// <summary>Every key's value is agreed by f+1 replicas and no replica differs.</summary>
    public bool Consistent => Keys.All(k => k.Agreed && k.Dissenters.Count == 0);

    public static CheckpointReadReport From(
        IReadOnlyList<ReplicaAnswer> answers,
        BlockId checkpointId,
        IReadOnlyList<byte[]> keys,
        int f
    )
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(keys);
        var replicas = answers.Select(a => Parse(a, checkpointId, keys.Count)).ToList();
        var agreements = keys.Select(
                (key, i) =>
                {
                    // Compared as base64 text, absent as null: equal bytes give equal text.
                    var agreement = Agreements.Among<string?>(
                        [
                            .. replicas
                                .Where(r => r.Values is not null)
                                .Select(r => (r.Replica, r.Values![i] is { } v ? Convert.ToBase64String(v) : null)),
                        ],
                        f + 1
                    );
                    return new KeyAgreement(
                        key,
                        agreement.Reached,
                        agreement.Value is { } text ? Convert.FromBase64String(text) : null,
                        agreement.Dissenters
                    );
                }
            )
            .ToList();
        return new CheckpointReadReport(checkpointId, replicas, agreements);
    }

    private static ReplicaValues Parse(ReplicaAnswer answer, BlockId checkpointId, int keyCount)
    {
        if (answer.Json is null)
        {
            return new ReplicaValues(answer.Replica, null, null, answer.Refusal ?? "no answer");
        }

        CheckpointReadAnswer? read;
        try
        {
            read = JsonSerializer.Deserialize(answer.Json, OperatorAnswerJson.Default.CheckpointReadAnswer);
        }
        catch (JsonException e)
        {
            return new ReplicaValues(
                answer.Replica,
                null,
                null,
                $"rejected: the answer is not a checkpoint read ({e.Message})"
            );
        }

        if (read?.Values is null || read.Values.Count != keyCount || read.CheckpointId != checkpointId.Value)
        {
            return new ReplicaValues(
                answer.Replica,
                null,
                null,
                $"rejected: the answer is for checkpoint {read?.CheckpointId} with {read?.Values?.Count ?? 0} values, "
                    + $"not checkpoint {checkpointId} with {keyCount}"
            );
        }

        return new ReplicaValues(answer.Replica, read.SeqNum, read.Values, null);
    }
}
