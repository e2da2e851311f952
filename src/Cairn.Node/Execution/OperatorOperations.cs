using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Operator;

namespace Cairn.Node.Execution;

/// <summary>Executes ordered operator commands: verified against the operator key, the consensus time and the used
/// nonces in the state, so every correct replica accepts or refuses the same command the same way.</summary>
internal sealed class OperatorOperations(OperatorCommandVerifier verifier, int checkpointWindow)
{
    public OperatorResult Apply(
        ClientRequest request,
        SeqNum seq,
        DateTimeOffset consensusTime,
        BatchWrites batch,
        List<OperatorEffect> effects
    )
    {
        OperatorCommand command;
        try
        {
            command = OperatorCommand.Decode(request.Operation.Span);
        }
        catch (CanonicalEncodingException e)
        {
            return OperatorResult.Refused($"not an operator command ({e.Message})");
        }

        if (!command.IsWrite)
        {
            return OperatorResult.Refused($"{command.Type} is a query: it is sent to each replica, not ordered");
        }

        var refusal = verifier.Refusal(
            command,
            consensusTime,
            nonce => batch.Get(ReplicatedKeys.OperatorNonce(nonce)) is not null
        );
        if (refusal is not null)
        {
            return OperatorResult.Refused(refusal);
        }

        batch.Put(ReplicatedKeys.OperatorNonce(command.Nonce), ReplicatedKeys.EncodeUInt64(seq.Value));
        var wedge = batch.Get(ReplicatedKeys.Wedge);
        switch (command.Type)
        {
            case OperatorCommandType.DbCheckpointCreate when wedge is not null:
                // Ordering stops at the wedge point, so a later boundary would never come; the wedge's own
                // checkpoint is there.
                return OperatorResult.Refused(
                    $"the cluster is wedged at seq {ReplicatedKeys.DecodeUInt64(wedge)}, where it takes its checkpoint"
                );
            case OperatorCommandType.DbCheckpointCreate:
                var at = WedgePoint.NextBoundary(seq, checkpointWindow);
                // In the state, so a replica that reaches the boundary by state transfer takes it too.
                batch.Put(ReplicatedKeys.CheckpointOrdered, ReplicatedKeys.EncodeUInt64(at.Value));
                effects.Add(new CheckpointRequested(seq, at));
                return new OperatorResult(true, at, $"every replica takes a DB checkpoint at seq {at}");
            case OperatorCommandType.WedgeStop when wedge is not null:
                return OperatorResult.Refused($"already wedged at seq {ReplicatedKeys.DecodeUInt64(wedge)}");
            case OperatorCommandType.WedgeStop:
                var point = WedgePoint.Of(seq, checkpointWindow);
                batch.Put(ReplicatedKeys.Wedge, ReplicatedKeys.EncodeUInt64(point.Value));
                effects.Add(new WedgeOrdered(seq, point));
                return new OperatorResult(
                    true,
                    point,
                    $"replicas stop ordering at seq {point} and take a DB checkpoint there"
                );
            case OperatorCommandType.Unwedge when wedge is null:
                return OperatorResult.Refused("the cluster is not wedged");
            case OperatorCommandType.Unwedge when seq.Value <= ReplicatedKeys.DecodeUInt64(wedge):
                // As in Concord: a wedge, once ordered, runs to its point and its checkpoint.
                return OperatorResult.Refused(
                    $"ordering has not reached the wedge point {ReplicatedKeys.DecodeUInt64(wedge)} yet (this "
                        + $"command was ordered at {seq}); unwedge once 'op wedge status' shows every replica there"
                );
            default:
                var epoch = ReplicatedKeys.DecodeUInt64(batch.Get(ReplicatedKeys.Epoch)) + 1;
                batch.Delete(ReplicatedKeys.Wedge);
                batch.Put(ReplicatedKeys.Epoch, ReplicatedKeys.EncodeUInt64(epoch));
                effects.Add(new Unwedged(epoch));
                return new OperatorResult(true, seq, $"ordering resumed; epoch {epoch}");
        }
    }
}
