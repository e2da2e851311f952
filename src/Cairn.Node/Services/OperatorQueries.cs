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
                OperatorCommandType.WedgeStatus => Json(WedgeStatus()),
                OperatorCommandType.DbCheckpointStatus => Json(CheckpointStatus()),
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
            new
            {
                replica = host.Status.Replica.Value,
                checkpointId = checkpoint.Id.Value,
                seqNum = checkpoint.SeqNum.Value,
                values = query!.Keys.Select(key => reader.GetValue(key)).ToList(),
            }
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
            return Json(new { replica = host.Status.Replica.Value, found = false });
        }

        using var pin = checkpoints.Pin(all[^1].Id);
        using var reader = RocksDbLedger.OpenReadOnly(pin.Checkpoint.Directory);
        var metadata = pin.Checkpoint.Metadata;
        return Json(
            new
            {
                replica = host.Status.Replica.Value,
                found = true,
                id = metadata.Id.Value,
                seqNum = metadata.SeqNum.Value,
                lastBlockId = metadata.LastBlockId.Value,
                stateDigest = metadata.StateDigest.ToHex(),
                epoch = metadata.Epoch,
                createdAt = metadata.CreatedAt,
                estimatedKeys = reader.EstimateStateKeyCount(),
            }
        );
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

    private object WedgeStatus()
    {
        var status = host.Status;
        return new
        {
            replica = status.Replica.Value,
            wedged = status.WedgePoint is { } point && status.LastExecuted >= point,
            wedgePoint = status.WedgePoint?.Value,
            lastExecutedSeq = status.LastExecuted.Value,
            epoch = status.Epoch,
        };
    }

    private object CheckpointStatus()
    {
        var status = checkpoints.Status;
        return new
        {
            replica = host.Status.Replica.Value,
            enabled = status.Enabled,
            checkpoints = checkpoints
                .List()
                .Select(c => new
                {
                    id = c.Id.Value,
                    seqNum = c.SeqNum.Value,
                    lastBlockId = c.Metadata.LastBlockId.Value,
                    lastBlockDigest = c.Metadata.LastBlockDigest.ToHex(),
                    stateDigest = c.Metadata.StateDigest.ToHex(),
                    createdAt = c.Metadata.CreatedAt,
                    sizeBytes = c.Metadata.SizeBytes,
                    exclusiveBytes = c.Metadata.ExclusiveBytes,
                    signers = c.Metadata.Certificate.Signers.Select(r => r.Value),
                    epoch = c.Metadata.Epoch,
                }),
            lastSkipReason = status.LastSkipReason?.ToString(),
            lastSkipAt = status.LastSkipAt,
            skips = status.Skips,
            failures = status.Failures,
            lastFailure = status.LastFailure,
            onDemandArmed = status.OnDemandArmed,
        };
    }

    private static OperatorQueryReply Json(object answer) =>
        new() { Json = System.Text.Json.JsonSerializer.Serialize(answer, System.Text.Json.JsonSerializerOptions.Web) };
}
