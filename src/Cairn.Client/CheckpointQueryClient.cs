using Cairn.Core;
using Cairn.Operator;

namespace Cairn.Client;

/// <summary>
/// Checkpoint queries over the network (Concord's checkpoint queries through the operator API): every replica answers
/// from its own checkpoints, without anyone touching a replica's disk; up to f replicas may be down (shown as such).
/// </summary>
public sealed class CheckpointQueryClient(ClientConfig config, TimeProvider? time = null)
{
    private readonly OperatorClient _operator = new(config, time);

    /// <summary>Every replica's signed statement of checkpoint <paramref name="checkpointId"/>'s state digest,
    /// verified.</summary>
    /// <exception cref="RequestRejectedException">When the DB checkpoint feature is disabled.</exception>
    public async Task<CheckpointHashReport> HashAsync(BlockId checkpointId, CancellationToken cancellationToken)
    {
        var command = _operator.SignQuery(
            OperatorCommandType.CheckpointHash,
            new CheckpointQuery(checkpointId, []).Encode()
        );
        var answers = await AskAsync(command, cancellationToken).ConfigureAwait(false);
        return CheckpointHashReport.From(answers, config.LoadReplicaKeys(), checkpointId, command.Nonce, config.F);
    }

    /// <summary>The values of <paramref name="keys"/> as of checkpoint <paramref name="checkpointId"/>, from every
    /// replica.</summary>
    /// <exception cref="RequestRejectedException">When a key breaks the limits (nothing is sent) or the feature is
    /// disabled.</exception>
    public async Task<CheckpointReadReport> ReadAsync(
        BlockId checkpointId,
        IReadOnlyList<byte[]> keys,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0 || CheckpointQuery.KeyProblem(keys) is not null)
        {
            throw new RequestRejectedException(
                $"cannot read: {CheckpointQuery.KeyProblem(keys) ?? "give at least one key"}"
            );
        }

        var command = _operator.SignQuery(
            OperatorCommandType.CheckpointRead,
            new CheckpointQuery(checkpointId, keys).Encode()
        );
        return CheckpointReadReport.From(
            await AskAsync(command, cancellationToken).ConfigureAwait(false),
            checkpointId,
            keys,
            config.F
        );
    }

    /// <summary>Every replica's newest checkpoint. When fewer than f+1 replicas have one, orders <c>dbCheckpoint
    /// create</c>
    /// (every replica takes one at the next stable sequence number) and waits up to <paramref name="wait"/> for f+1 of
    /// them
    /// to report it.</summary>
    /// <exception cref="RequestRejectedException">When the feature is disabled or the create command is
    /// refused.</exception>
    /// <exception cref="ClusterUnavailableException">When the new checkpoint is not reported by f+1 replicas in
    /// time.</exception>
    public async Task<SnapshotReport> SnapshotAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var report = await SnapshotOnceAsync(cancellationToken).ConfigureAwait(false);
        if (!report.NeedsCheckpoint(config.F))
        {
            return report;
        }

        var result = await _operator
            .SubmitAsync(OperatorCommandType.DbCheckpointCreate, cancellationToken)
            .ConfigureAwait(false);
        if (!result.Accepted)
        {
            throw new RequestRejectedException(
                $"there is no checkpoint and dbCheckpoint create was refused: {result.Message}"
            );
        }

        var target = result.EffectiveAt.Value;
        var deadline = DateTime.UtcNow + wait;
        while (report.Agreed is null || report.Agreed.SeqNum < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterUnavailableException(
                    $"a checkpoint was ordered at seq {target}, but f+1 replicas did not report it within "
                        + $"{wait.TotalSeconds:0} s"
                );
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            report = await SnapshotOnceAsync(cancellationToken).ConfigureAwait(false);
        }

        return report with
        {
            CreatedAtSeq = target,
        };
    }

    private async Task<SnapshotReport> SnapshotOnceAsync(CancellationToken cancellationToken) =>
        SnapshotReport.From(
            await AskAsync(_operator.SignQuery(OperatorCommandType.Snapshot, []), cancellationToken)
                .ConfigureAwait(false),
            config.F
        );

    /// <summary>Sends the query; when every replica that answered says the feature is off, that is the
    /// answer.</summary>
    private async Task<IReadOnlyList<ReplicaAnswer>> AskAsync(
        OperatorCommand command,
        CancellationToken cancellationToken
    )
    {
        var answers = await _operator
            .QueryAsync(command, config.RequestTimeout, cancellationToken)
            .ConfigureAwait(false);
        var heard = answers.Where(a => a.Answered || a.Refusal is not null).ToList();
        if (heard.Count > 0 && heard.All(a => a.Refusal == CheckpointQuery.FeatureDisabled))
        {
            throw new RequestRejectedException(CheckpointQuery.FeatureDisabled);
        }

        return answers;
    }
}
