using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cairn.Backup;
using Cairn.Core;
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
/// state. The certified chain query reads the live ledger's blocks, which are immutable once appended, and may ask the
/// primary to fill the window to the next checkpoint boundary with no-op batches: it changes no state.</summary>
/// <param name="replicaKey">This replica's own key, which signs its answers.</param>
public sealed class OperatorQueries(
    ReplicaHost host,
    ILedgerReader ledger,
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
            return Signed(command, Route(command));
        }
        catch (Exception e) when (e is DbCheckpointException or LedgerException or IOException)
        {
            // The checkpoint was deleted between listing and pinning, or does not open: this replica cannot answer.
            return new OperatorQueryReply { Refusal = $"cannot read the checkpoint ({e.Message})" };
        }
    }

    private OperatorQueryReply Route(OperatorCommand command) =>
        command.Type switch
        {
            OperatorCommandType.WedgeStatus => Json(WedgeStatus(), OperatorAnswerJson.Default.WedgeStatusAnswer),
            OperatorCommandType.DbCheckpointStatus => Json(
                CheckpointStatus(),
                OperatorAnswerJson.Default.DbCheckpointStatusAnswer
            ),
            OperatorCommandType.CheckpointHash => CheckpointHash(command),
            OperatorCommandType.CheckpointRead => CheckpointRead(command),
            OperatorCommandType.Snapshot => Snapshot(),
            OperatorCommandType.CertifiedChain => CertifiedChain(command),
            _ => new OperatorQueryReply { Refusal = $"{command.Type} is not answered by this replica" },
        };

    /// <summary>Signs a JSON answer for the query's nonce, this chain and this replica (OperatorAnswerSignature), so
    /// the operator can check who said it, for which query.</summary>
    private OperatorQueryReply Signed(OperatorCommand command, OperatorQueryReply reply)
    {
        if (reply.Json.Length > 0)
        {
            var signature = OperatorAnswerSignature.Sign(
                ledger.ChainId,
                host.Status.Replica,
                command.Nonce,
                reply.Json,
                replicaKey
            );
            reply.Signature = ByteString.CopyFrom(signature.Bytes);
        }

        return reply;
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

    /// <summary>The newest stable certificate at or above the seq asked for, with the blocks from the one asked for up
    /// to the certified one (a page of them); without such a certificate yet, asks for one (<see
    /// cref="ReplicaHost.RequestStableCheckpoint"/>) and says how far the replica is, so the caller can wait. Works
    /// whatever the backup mode: an intermittent backup needs no DB checkpoint.</summary>
    private OperatorQueryReply CertifiedChain(OperatorCommand command)
    {
        CertifiedChainQuery query;
        try
        {
            query = CertifiedChainQuery.Decode(command.Body);
        }
        catch (CanonicalEncodingException e)
        {
            return new OperatorQueryReply { Refusal = $"malformed certified chain query ({e.Message})" };
        }

        var status = host.Status;
        var replica = status.Replica.Value;
        var certificate = host.StableCertificate;
        if (certificate is null || certificate.Seq < query.AtLeast)
        {
            host.RequestStableCheckpoint(query.AtLeast);
            return Json(
                new CertifiedChainAnswer(replica, status.LastExecuted.Value, status.LastStable.Value, null, [], false),
                OperatorAnswerJson.Default.CertifiedChainAnswer
            );
        }

        // The caller already holds block From - 1: when that is the certified one, nothing is missing.
        var complete =
            query.From.Value > 1
            && ledger.GetBlock(new BlockId(query.From.Value - 1)) is { } held
            && held.SeqNum == certificate.Seq;
        var blocks = new List<string>();
        long bytes = 0;
        foreach (var block in complete ? [] : ledger.ReadBlocks(query.From))
        {
            if (
                block.SeqNum > certificate.Seq
                || (bytes > 0 && bytes + block.Encoded.Length > CertifiedChainQuery.PageBytes)
            )
            {
                break;
            }

            blocks.Add(Convert.ToBase64String(block.Encoded.Span));
            bytes += block.Encoded.Length;
            if (block.SeqNum == certificate.Seq)
            {
                complete = true;
                break;
            }
        }

        return Json(
            new CertifiedChainAnswer(
                replica,
                status.LastExecuted.Value,
                status.LastStable.Value,
                Convert.ToBase64String(certificate.Encode()),
                blocks,
                complete
            ),
            OperatorAnswerJson.Default.CertifiedChainAnswer
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
            host.Status.LastCheckpointDecided.Value,
            [
                .. status.InFlight.Select(c => new DbCheckpointInFlightRow(
                    c.Seq.Value,
                    c.State == DbCheckpointState.Finalising
                        ? DbCheckpointInFlightRow.Finalising
                        : DbCheckpointInFlightRow.Taken
                )),
            ]
        );
    }

    private static OperatorQueryReply Json<T>(T answer, JsonTypeInfo<T> json) =>
        new() { Json = JsonSerializer.Serialize(answer, json) };
}
