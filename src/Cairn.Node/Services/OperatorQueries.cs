using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cairn.Backup;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Ledger;
using Cairn.Node.Hosting;
using Cairn.Operator;
using Cairn.Protocol.Grpc;
using Google.Protobuf;

namespace Cairn.Node.Services;

/// <summary>Answers signed read-only operator queries from this replica's own state. Checkpoint queries read the
/// checkpoint itself (opened read-only, pinned meanwhile so retention cannot delete it), never the live
/// state.</summary>
/// <param name="replicaKey">This replica's own key, which signs its answers to <c>checkpoint hash</c>.</param>
public sealed class OperatorQueries(
    ReplicaHost host,
    DbCheckpointManager checkpoints,
    OperatorCommandVerifier verifier,
    SigningKey replicaKey,
    TimeProvider time
)
{
    private readonly NonceCache _nonces = new(verifier.Window * 2);

    public OperatorQueryReply Answer(ReadOnlySpan<byte> encoded)
    {
        OperatorCommand command;
        try
        {
            command = OperatorCommand.Decode(encoded);
        }
        catch (CanonicalEncodingException e)
        {
            return new OperatorQueryReply { Refusal = $"not an operator command ({e.Message})" };
        }

        if (command.IsWrite)
        {
            return new OperatorQueryReply
            {
                Refusal = $"{command.Type} changes the cluster: it is ordered through consensus, not sent as a query",
            };
        }

        var now = time.GetUtcNow();
        var refusal = verifier.Refusal(command, now, _nonces.Contains);
        if (refusal is not null || !_nonces.TryAdd(command.Nonce, now))
        {
            return new OperatorQueryReply { Refusal = refusal ?? "nonce already used (a replayed query)" };
        }

        try
        {
            return command.Type switch
            {
                OperatorCommandType.WedgeStatus => Json(WedgeStatus(), OperatorAnswerJson.Default.WedgeStatusAnswer),
                OperatorCommandType.DbCheckpointStatus => Json(
                    CheckpointStatus(),
                    OperatorAnswerJson.Default.DbCheckpointStatusAnswer
                ),
                OperatorCommandType.CheckpointHash => CheckpointHash(command),
                OperatorCommandType.CheckpointRead => CheckpointRead(command),
                OperatorCommandType.Snapshot => Snapshot(),
                _ => new OperatorQueryReply { Refusal = $"{command.Type} is not answered by this replica" },
            };
        }
        catch (Exception e) when (e is DbCheckpointException or LedgerException or IOException)
        {
            // The checkpoint was deleted between listing and pinning, or does not open: this replica cannot answer.
            return new OperatorQueryReply { Refusal = $"cannot read the checkpoint ({e.Message})" };
        }
    }

    private OperatorQueryReply CheckpointHash(OperatorCommand command)
    {
        if (CheckpointRefusal(command, out _, out var checkpoint) is { } refusal)
        {
            return refusal;
        }

        var metadata = checkpoint!.Metadata;
        var statement = CheckpointHashAttestation.Create(
            host.Status.Replica,
            metadata.Id,
            metadata.SeqNum,
            metadata.LastBlockId,
            metadata.StateDigest,
            (ulong)metadata.Epoch,
            command.Nonce,
            replicaKey
        );
        return new OperatorQueryReply { Statement = ByteString.CopyFrom(statement.Encode()) };
    }

    private OperatorQueryReply CheckpointRead(OperatorCommand command)
    {
        if (CheckpointRefusal(command, out var query, out var checkpoint) is { } refusal)
        {
            return refusal;
        }

        using var pin = checkpoints.Pin(checkpoint!.Id);
        using var reader = RocksDbLedger.OpenReadOnly(pin.Checkpoint.Directory);
        return Json(
            new CheckpointReadAnswer(
                host.Status.Replica.Value,
                checkpoint.Id.Value,
                checkpoint.SeqNum.Value,
                [.. query!.Keys.Select(key => reader.GetValue(key))]
            ),
            OperatorAnswerJson.Default.CheckpointReadAnswer
        );
    }

    private OperatorQueryReply Snapshot()
    {
        if (!checkpoints.Status.Enabled)
        {
            return new OperatorQueryReply { Refusal = CheckpointQuery.FeatureDisabled };
        }

        var all = checkpoints.List();
        if (all.Count == 0)
        {
            return Json(new SnapshotAnswer(host.Status.Replica.Value, null), OperatorAnswerJson.Default.SnapshotAnswer);
        }

        using var pin = checkpoints.Pin(all[^1].Id);
        using var reader = RocksDbLedger.OpenReadOnly(pin.Checkpoint.Directory);
        var metadata = pin.Checkpoint.Metadata;
        var newest = new SnapshotCheckpoint(
            metadata.Id.Value,
            metadata.SeqNum.Value,
            metadata.LastBlockId.Value,
            metadata.StateDigest.ToHex(),
            metadata.Epoch,
            metadata.CreatedAt,
            reader.EstimateStateKeyCount()
        );
        return Json(new SnapshotAnswer(host.Status.Replica.Value, newest), OperatorAnswerJson.Default.SnapshotAnswer);
    }

    /// <summary>The refusal of a checkpoint query this replica cannot answer (feature off, malformed body, no such
    /// checkpoint), or null with the query and the checkpoint it names.</summary>
    private OperatorQueryReply? CheckpointRefusal(
        OperatorCommand command,
        out CheckpointQuery? query,
        out DbCheckpointInfo? checkpoint
    )
    {
        (query, checkpoint) = (null, null);
        if (!checkpoints.Status.Enabled)
        {
            return new OperatorQueryReply { Refusal = CheckpointQuery.FeatureDisabled };
        }

        try
        {
            query = CheckpointQuery.Decode(command.Body);
        }
        catch (CanonicalEncodingException e)
        {
            return new OperatorQueryReply { Refusal = $"malformed checkpoint query ({e.Message})" };
        }

        var id = query.CheckpointId;
        var all = checkpoints.List();
        checkpoint = all.FirstOrDefault(c => c.Id == id);
        return checkpoint is null
            ? new OperatorQueryReply
            {
                Refusal =
                    $"no such checkpoint {id} (have: "
                    + $"{(all.Count == 0 ? "none" : string.Join(", ", all.Select(c => c.Id)))})",
            }
            : null;
    }

    private WedgeStatusAnswer WedgeStatus()
    {
        var status = host.Status;
        return new WedgeStatusAnswer(
            status.Replica.Value,
            status.WedgePoint is { } point && status.LastExecuted >= point,
            status.WedgePoint?.Value,
            status.LastExecuted.Value,
            status.Epoch
        );
    }

    private DbCheckpointStatusAnswer CheckpointStatus()
    {
        var status = checkpoints.Status;
        return new DbCheckpointStatusAnswer(
            host.Status.Replica.Value,
            status.Enabled,
            [
                .. checkpoints
                    .List()
                    .Select(c => new DbCheckpointRow(
                        c.Id.Value,
                        c.SeqNum.Value,
                        c.Metadata.LastBlockId.Value,
                        c.Metadata.LastBlockDigest.ToHex(),
                        c.Metadata.StateDigest.ToHex(),
                        c.Metadata.CreatedAt,
                        c.Metadata.SizeBytes,
                        c.Metadata.ExclusiveBytes,
                        [.. c.Metadata.Certificate.Signers.Select(r => r.Value)],
                        c.Metadata.Epoch
                    )),
            ],
            status.LastSkipReason?.ToString(),
            status.LastSkipAt,
            status.Skips,
            status.Failures,
            status.LastFailure,
            host.Status is { CheckpointOrderedAt: { } at } replica && replica.LastExecuted < at,
            host.Status.LastCheckpointDecided.Value
        );
    }

    private static OperatorQueryReply Json<T>(T answer, JsonTypeInfo<T> json) =>
        new() { Json = JsonSerializer.Serialize(answer, json) };
}
