using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Operator;

namespace Cairn.Client;

/// <summary>
/// Every replica's signed statement of one checkpoint's state digest, each checked against that replica's public key
/// and the query's nonce, side by side; the digest f+1 verified statements agree on, and who differs from it.
/// </summary>
/// <param name="AgreedDigest">The state digest at least f+1 replicas signed; null when none reached f+1.</param>
public sealed record CheckpointHashReport(
    BlockId CheckpointId,
    IReadOnlyList<CheckpointHashRow> Rows,
    Digest? AgreedDigest
)
{
    /// <summary>f+1 replicas agree and no verified statement differs.</summary>
    public bool Consistent => AgreedDigest is not null && !Rows.Any(r => r.Differs);

    /// <summary>Checks each answer: a statement must decode, name the replica that sent it, carry its valid signature,
    /// and answer this very query (checkpoint id and nonce).</summary>
    /// <param name="replicaKeys">The replicas' public keys, indexed by replica id.</param>
    public static CheckpointHashReport From(
        IReadOnlyList<ReplicaAnswer> answers,
        IReadOnlyList<VerificationKey> replicaKeys,
        BlockId checkpointId,
        ulong queryNonce,
        int f
    )
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(replicaKeys);
        var checkedRows = answers.Select(a => Check(a, replicaKeys, checkpointId, queryNonce)).ToList();
        var agreement = Agreements.Among<(SeqNum, BlockId, Digest, ulong)>(
            [.. checkedRows.Where(r => r.Verified).Select(r => (r.Replica, Claim(r.Statement!)))],
            f + 1
        );
        var rows = checkedRows.Select(r => r with { Differs = agreement.Dissenters.Contains(r.Replica) }).ToList();
        return new CheckpointHashReport(checkpointId, rows, agreement.Reached ? agreement.Value.Item3 : null);
    }

    private static (SeqNum, BlockId, Digest, ulong) Claim(CheckpointHashAttestation s) =>
        (s.SeqNum, s.LastBlockId, s.StateDigest, s.Epoch);

    private static CheckpointHashRow Check(
        ReplicaAnswer answer,
        IReadOnlyList<VerificationKey> replicaKeys,
        BlockId checkpointId,
        ulong queryNonce
    )
    {
        if (answer.Statement is null)
        {
            return new CheckpointHashRow(
                answer.Replica,
                null,
                answer.Refusal ?? (answer.Json is null ? "no answer" : "answered without a signed statement"),
                false
            );
        }

        if (answer.Replica < 0 || answer.Replica >= replicaKeys.Count)
        {
            return new CheckpointHashRow(answer.Replica, null, $"replica {answer.Replica} is not in the config", false);
        }

        try
        {
            var statement = CheckpointHashAttestation.Decode(answer.Statement);
            var problem = statement.ProblemAsAnswer(
                new ReplicaId(answer.Replica),
                checkpointId,
                queryNonce,
                replicaKeys[answer.Replica]
            );
            return problem is null
                ? new CheckpointHashRow(answer.Replica, statement, null, false)
                : new CheckpointHashRow(answer.Replica, null, $"rejected: {problem}", false);
        }
        catch (CanonicalEncodingException e)
        {
            return new CheckpointHashRow(
                answer.Replica,
                null,
                $"rejected: not a checkpoint hash statement ({e.Message})",
                false
            );
        }
    }
}
