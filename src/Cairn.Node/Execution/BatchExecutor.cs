using Cairn.Backup;
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
/// kept in the replicated state (see <see cref="ReplicatedKeys"/>), and so is the DB checkpoint decision at each
/// boundary. Everything here is deterministic: it uses only the batch, its consensus time and the state.
/// </summary>
/// <param name="checkpointPolicy">The periodic DB checkpoint policy (<c>db_checkpoint_duration</c>,
/// <c>dbcheckpoint_window</c>): like <c>checkpoint_window_size</c>, the same on every replica.</param>
public sealed class BatchExecutor(
    ILedgerStore ledger,
    OperatorCommandVerifier operatorVerifier,
    int checkpointWindow,
    DbCheckpointSettings checkpointPolicy
)
{
    private readonly OperatorOperations _operator = new(operatorVerifier, checkpointWindow);

    private Marks? _marks;

    /// <summary>The wedge point in the state, if a wedge is in force.</summary>
    public SeqNum? WedgePoint => CurrentMarks.Wedge;

    /// <summary>The boundary the last <c>dbCheckpoint create</c> ordered a DB checkpoint for, if any.</summary>
    public SeqNum? CheckpointOrderedAt => CurrentMarks.OrderedAt;

    /// <summary>The boundary at which the last DB checkpoint was decided (periodic or ordered), with its consensus
    /// time: what the periodic policy counts from.</summary>
    public CheckpointMark LastCheckpoint => CurrentMarks.Last;

    /// <summary>The epoch: how many times the cluster was unwedged.</summary>
    public ulong Epoch => CurrentMarks.Epoch;

    /// <summary>The four values above as of the ledger's head. They change only with a block that writes one of their
    /// keys, so they are read from the state when the head moved some other way (a block installed by state transfer,
    /// a new executor), not for each executed block nor at every group commit that reports them.</summary>
    private Marks CurrentMarks
    {
        get
        {
            var head = ledger.Head.LastBlockId;
            if (_marks is not { } marks || marks.Head != head)
            {
                marks = new Marks(
                    head,
                    ledger.GetValue(ReplicatedKeys.Wedge) is { } wedge
                        ? new SeqNum(ReplicatedKeys.DecodeUInt64(wedge))
                        : null,
                    ledger.GetValue(ReplicatedKeys.CheckpointOrdered) is { } ordered
                        ? new SeqNum(ReplicatedKeys.DecodeUInt64(ordered))
                        : null,
                    ReplicatedKeys.DecodeMark(ledger.GetValue(ReplicatedKeys.LastCheckpoint)),
                    ReplicatedKeys.DecodeUInt64(ledger.GetValue(ReplicatedKeys.Epoch))
                );
                _marks = marks;
            }

            return marks;
        }
    }

    /// <summary>Applies the batch's requests in order and appends the block.</summary>
    public ExecutionOutcome Execute(Execute execute)
    {
        var batch = new BatchWrites(ledger);
        var replies = new List<ClientReply>(execute.Requests.Count);
        var effects = new List<OperatorEffect>();
        var block = ledger.Head.LastBlockId.Next;
        var marks = CurrentMarks;
        var wedgedAt = marks.Wedge;
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

        DecideCheckpoint(execute.Seq, execute.ConsensusTime, batch);
        var appended = ledger.Append(new BlockProposal(execute.Seq, execute.ConsensusTime, batch.Writes));
        _marks = Marks.WrittenBy(batch) ? null : marks with { Head = appended.Id };
        return new ExecutionOutcome(new BatchExecuted(execute.Seq, appended.Digest, replies, WedgePoint), effects);
    }

    /// <summary>
    /// At a checkpoint boundary, decides whether every replica takes a DB checkpoint there and, if so, moves the mark
    /// in this block. The decision is made once, in the replicated state, whatever each replica then manages to do
    /// locally (a full disk, a failed finalisation, a restart), so the next checkpoints still line up; a replica that
    /// installs the block by state transfer reads the same decision.
    /// </summary>
    private void DecideCheckpoint(SeqNum seq, DateTimeOffset consensusTime, BatchWrites batch)
    {
        if (seq.Value % (ulong)checkpointWindow != 0)
        {
            return;
        }

        var ordered =
            ReplicatedKeys.DecodeUInt64(batch.Get(ReplicatedKeys.CheckpointOrdered)) == seq.Value
            || ReplicatedKeys.DecodeUInt64(batch.Get(ReplicatedKeys.Wedge)) == seq.Value;
        var last = ReplicatedKeys.DecodeMark(batch.Get(ReplicatedKeys.LastCheckpoint));
        // The block keeps its time in milliseconds; the mark keeps the same, so a mark read back compares equal.
        var time = DateTimeOffset.FromUnixTimeMilliseconds(consensusTime.ToUnixTimeMilliseconds());
        if (CheckpointPolicy.Decide(checkpointPolicy, last, seq, time, ordered) is { } mark)
        {
            batch.Put(ReplicatedKeys.LastCheckpoint, ReplicatedKeys.EncodeMark(mark));
        }
    }

    /// <summary>Each client's latest reply, as the state holds them: the reply cache a restarted replica starts
    /// with.</summary>
    public IReadOnlyList<ClientReply> LatestReplies() =>
        [.. ledger.ReadState(ReplicatedKeys.ReplyPrefix).Select(kv => ClientReply.Decode(kv.Value))];
}
