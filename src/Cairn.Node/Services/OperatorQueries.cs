using Cairn.Backup;
using Cairn.Core.Encoding;
using Cairn.Node.Hosting;
using Cairn.Operator;
using Cairn.Protocol.Grpc;

namespace Cairn.Node.Services;

/// <summary>Answers signed read-only operator queries from this replica's own state.</summary>
public sealed class OperatorQueries(ReplicaHost host, DbCheckpointManager checkpoints, OperatorCommandVerifier verifier, TimeProvider time)
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
            return new OperatorQueryReply { Refusal = $"{command.Type} changes the cluster: it is ordered through consensus, not sent as a query" };
        }

        var now = time.GetUtcNow();
        var refusal = verifier.Refusal(command, now, _nonces.Contains);
        if (refusal is not null || !_nonces.TryAdd(command.Nonce, now))
        {
            return new OperatorQueryReply { Refusal = refusal ?? "nonce already used (a replayed query)" };
        }

        return command.Type switch
        {
            OperatorCommandType.WedgeStatus => Json(WedgeStatus()),
            OperatorCommandType.DbCheckpointStatus => Json(CheckpointStatus()),
            _ => new OperatorQueryReply { Refusal = $"{command.Type} is not answered by this replica" },
        };
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
            checkpoints = checkpoints.List().Select(c => new
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
