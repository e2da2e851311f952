using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Operator;

namespace Cairn.Node.Execution;

/// <summary>
/// Executes committed batches against the ledger: every sequence number becomes exactly one block (an empty one for a
/// no-op batch), so all correct replicas hold the same chain and report the same digest. Key-value requests go to
/// <see cref="KvOperations"/>, operator commands to <see cref="OperatorOperations"/>; each client's latest reply is
/// kept
/// in the replicated state (see <see cref="ReplicatedKeys"/>). Everything here is deterministic: it uses only the
/// batch, its consensus time and the state.
/// </summary>
public sealed class BatchExecutor(ILedgerStore ledger, OperatorCommandVerifier operatorVerifier, int checkpointWindow)
{
    private readonly OperatorOperations _operator = new(operatorVerifier, checkpointWindow);

    /// <summary>The wedge point in the state, if a wedge is in force.</summary>
    public SeqNum? WedgePoint =>
        ledger.GetValue(ReplicatedKeys.Wedge) is { } bytes ? new SeqNum(ReplicatedKeys.DecodeUInt64(bytes)) : null;

    /// <summary>The boundary the last <c>dbCheckpoint create</c> ordered a DB checkpoint for, if any.</summary>
    public SeqNum? CheckpointMark =>
        ledger.GetValue(ReplicatedKeys.CheckpointMark) is { } bytes
            ? new SeqNum(ReplicatedKeys.DecodeUInt64(bytes))
            : null;

    /// <summary>The epoch: how many times the cluster was unwedged.</summary>
    public ulong Epoch => ReplicatedKeys.DecodeUInt64(ledger.GetValue(ReplicatedKeys.Epoch));

    /// <summary>Applies the batch's requests in order and appends the block.</summary>
    public ExecutionOutcome Execute(Execute execute)
    {
        var batch = new BatchWrites(ledger);
        var replies = new List<ClientReply>(execute.Requests.Count);
        var effects = new List<OperatorEffect>();
        var block = ledger.Head.LastBlockId.Next;
        var wedgedAt = WedgePoint;
        foreach (var request in execute.Requests)
        {
            byte[] result;
            if (request.Flags.HasFlag(RequestFlags.Operator))
            {
                result = _operator.Apply(request, execute.Seq, execute.ConsensusTime, batch, effects).Encode();
            }
            else
            {
                // Writes ordered after the wedge command (in flight when it executed) change nothing: every replica
                // refuses them, as its client API does from then on, so no write is refused by one replica and
                // applied by another.
                var writesRefused = wedgedAt is { } wedge
                    ? $"the cluster is wedged at seq {wedge} ('cairn op unwedge' resumes it)"
                    : null;
                result = KvOperations.Apply(request, block, batch, writesRefused).Encode();
            }

            var reply = ClientReply.Create(request.ClientId, request.RequestId, result);
            replies.Add(reply);
            batch.Put(ReplicatedKeys.Reply(request.ClientId), reply.Encode());
        }

        var appended = ledger.Append(new BlockProposal(execute.Seq, execute.ConsensusTime, batch.Writes));
        return new ExecutionOutcome(new BatchExecuted(execute.Seq, appended.Digest, replies, WedgePoint), effects);
    }

    /// <summary>Each client's latest reply, as the state holds them: the reply cache a restarted replica starts
    /// with.</summary>
    public IReadOnlyList<ClientReply> LatestReplies() =>
        [.. ledger.ReadState(ReplicatedKeys.ReplyPrefix).Select(kv => ClientReply.Decode(kv.Value))];
}
