using AwesomeAssertions;
using Cairn.Backup;
using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Ledger;
using Cairn.Node.Execution;
using Cairn.Operator;
using Cairn.Protocol.Kv;

namespace Cairn.Node.Tests;

/// <summary>What an executed operator command leaves in the replicated state, where state transfer carries
/// it.</summary>
public sealed class BatchExecutorTests : IDisposable
{
    private const int Window = 150;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SigningKey _operatorKey = SigningKey.Generate();

    public void Dispose() => _operatorKey.Dispose();

    private BatchExecutor NewExecutor(ILedgerStore ledger, DbCheckpointSettings? policy = null) =>
        new(
            ledger,
            new OperatorCommandVerifier(_operatorKey.PublicKey, "chain", TimeSpan.FromMinutes(5)),
            Window,
            policy ?? new DbCheckpointSettings()
        );

    private static DateTimeOffset TimeOf(ulong seq) => Now.AddMinutes(seq);

    /// <summary>Executes no-op batches up to <paramref name="last"/>, a minute of consensus time per seq; returns the
    /// boundaries where the block moved the checkpoint mark.</summary>
    private static List<ulong> RunTo(BatchExecutor executor, InMemoryLedger ledger, ulong last)
    {
        var decided = new List<ulong>();
        for (var seq = ledger.Head.LastSeqNum.Value + 1; seq <= last; seq++)
        {
            var before = executor.LastCheckpoint;
            executor.Execute(new Execute(new SeqNum(seq), new Batch([]), TimeOf(seq), []));
            if (executor.LastCheckpoint != before)
            {
                decided.Add(seq);
            }
        }

        return decided;
    }

    private static InMemoryLedger TransferredCopy(InMemoryLedger ledger, InMemoryLedger? into = null)
    {
        var copy = into ?? new InMemoryLedger("chain");
        foreach (var block in ledger.ReadBlocks(BlockId.Genesis.Next))
        {
            copy.Append(new BlockProposal(block.SeqNum, block.Timestamp, block.Writes));
        }

        return copy;
    }

    private ExecutionOutcome Order(BatchExecutor executor, ulong seq, OperatorCommandType type)
    {
        var command = OperatorCommand.Create(type, "chain", [], Now, _operatorKey);
        var request = ClientRequest.Create(
            ClientIdentity.ClientId(ClientIdentity.OperatorKeyIndex, 1),
            seq,
            RequestFlags.Operator,
            command.Encode(),
            _operatorKey
        );
        return executor.Execute(new Execute(new SeqNum(seq), new Batch([request]), Now, [request]));
    }

    private static KvResult Client(BatchExecutor executor, ulong seq, KvOperation operation)
    {
        using var key = SigningKey.Generate();
        var request = ClientRequest.Create(7, seq, RequestFlags.None, operation.Encode(), key);
        var outcome = executor.Execute(new Execute(new SeqNum(seq), new Batch([request]), Now, [request]));
        return KvResult.Decode(outcome.Executed.Replies.Should().ContainSingle().Subject.Result.Span);
    }

    private static string Answer(ExecutionOutcome outcome) =>
        OperatorResult.Decode(outcome.Executed.Replies.Should().ContainSingle().Subject.Result.Span).Message;

    [Fact]
    public void Wedge_stop_reports_its_point_to_consensus_and_unwedge_is_refused_until_ordering_reaches_it()
    {
        var executor = NewExecutor(new InMemoryLedger("chain"));

        var stop = Order(executor, 7, OperatorCommandType.WedgeStop);

        var point = new SeqNum(2 * Window); // (7 + 2 x 150) rounded down to a boundary
        stop.Executed.WedgePoint.Should().Be(point, "the replica stops ordering there");
        Answer(Order(executor, 8, OperatorCommandType.Unwedge)).Should().Contain("has not reached the wedge point 300");
        Answer(Order(executor, 9, OperatorCommandType.DbCheckpointCreate)).Should().Contain("wedged at seq 300");
        Order(executor, 10, OperatorCommandType.WedgeStop).Executed.WedgePoint.Should().Be(point);
        // A write ordered after the wedge command, even before the point, is refused alike on every replica; reads
        // are answered.
        Client(executor, 11, KvOperation.Put("k"u8.ToArray(), "v"u8.ToArray())).Error.Should().Contain("wedged");
        Client(executor, 12, KvOperation.Get("k"u8.ToArray())).Status.Should().Be(KvResultStatus.Ok);

        executor.Epoch.Should().Be(0);
        var unwedge = Order(executor, point.Value + 1, OperatorCommandType.Unwedge);

        Answer(unwedge).Should().Contain("epoch 1");
        unwedge.Executed.WedgePoint.Should().BeNull();
        executor.Epoch.Should().Be(1);
    }

    [Fact]
    public void Client_writes_read_the_wedge_point_and_checkpoint_marks_once_not_per_block()
    {
        var ledger = new CountingLedger(new InMemoryLedger("chain"));
        var executor = NewExecutor(ledger);

        for (var seq = 1UL; seq <= 20; seq++)
        {
            Client(executor, seq, KvOperation.Put([(byte)'k', (byte)seq], "v"u8.ToArray()))
                .Status.Should()
                .Be(KvResultStatus.Ok);
            executor.WedgePoint.Should().BeNull();
            executor.LastCheckpoint.Seq.Should().Be(SeqNum.Zero);
        }

        // Read for the first block; each block after it wrote none of their keys, so they carried over.
        ledger.ReadsOf(ReplicatedKeys.Wedge).Should().Be(1);
        ledger.ReadsOf(ReplicatedKeys.Epoch).Should().Be(1);
        ledger.ReadsOf(ReplicatedKeys.LastCheckpoint).Should().Be(1);
        ledger.ReadsOf(ReplicatedKeys.CheckpointOrdered).Should().Be(1);
    }

    [Fact]
    public void A_block_installed_by_state_transfer_that_wedges_is_seen_by_the_executor_of_the_receiving_replica()
    {
        var source = new InMemoryLedger("chain");
        var sourceExecutor = NewExecutor(source);
        Client(sourceExecutor, 1, KvOperation.Put("k"u8.ToArray(), "v"u8.ToArray()));
        var receiver = TransferredCopy(source);
        var receiverExecutor = NewExecutor(receiver);
        receiverExecutor.WedgePoint.Should().BeNull();

        Order(sourceExecutor, 2, OperatorCommandType.WedgeStop);
        receiver.Install(source.GetBlock(source.Head.LastBlockId)!);

        receiverExecutor.WedgePoint.Should().Be(new SeqNum(2 * Window));
        Client(receiverExecutor, 3, KvOperation.Put("k"u8.ToArray(), "w"u8.ToArray())).Error.Should().Contain("wedged");
    }

    [Fact]
    public void Db_checkpoint_create_marks_the_next_boundary_in_the_state_for_replicas_that_arrive_by_state_transfer()
    {
        var ledger = new InMemoryLedger("chain");
        var executor = NewExecutor(ledger);
        executor.CheckpointOrderedAt.Should().BeNull();

        var command = OperatorCommand.Create(OperatorCommandType.DbCheckpointCreate, "chain", [], Now, _operatorKey);
        var request = ClientRequest.Create(
            ClientIdentity.ClientId(ClientIdentity.OperatorKeyIndex, 1),
            1,
            RequestFlags.Operator,
            command.Encode(),
            _operatorKey
        );
        var outcome = executor.Execute(new Execute(new SeqNum(7), new Batch([request]), Now, [request]));

        outcome.Effects.Should().ContainSingle().Which.Should().BeOfType<CheckpointRequested>();
        executor.CheckpointOrderedAt.Should().Be(new SeqNum(Window));
        // The mark is state: a replica that installs this block by state transfer reads the same value.
        NewExecutor(TransferredCopy(ledger)).CheckpointOrderedAt.Should().Be(new SeqNum(Window));
    }

    [Fact]
    public void The_periodic_decision_is_in_the_state_so_restarted_and_transferred_replicas_count_from_one_mark()
    {
        var policy = new DbCheckpointSettings { Window = 2 * Window, DurationSeconds = 60 };
        var ledger = new InMemoryLedger("chain");
        var executor = NewExecutor(ledger, policy);

        RunTo(executor, ledger, 4 * Window).Should().Equal(2UL * Window, 4UL * Window);

        executor.LastCheckpoint.Should().Be(new CheckpointMark(new SeqNum(4 * Window), TimeOf(4 * Window)));
        // Nothing local decides it: a restarted replica and one that installed the blocks read the same mark, so
        // their next checkpoints come at the same boundaries as everyone's.
        NewExecutor(ledger, policy).LastCheckpoint.Should().Be(executor.LastCheckpoint);
        // The lagging replica's executor has read its own (empty) state before the blocks arrive.
        var transferred = new InMemoryLedger("chain");
        var caughtUp = NewExecutor(transferred, policy);
        caughtUp.LastCheckpoint.Should().Be(ReplicatedKeys.DecodeMark(null));
        TransferredCopy(ledger, transferred);
        caughtUp.LastCheckpoint.Should().Be(executor.LastCheckpoint);
        RunTo(caughtUp, transferred, 6 * Window).Should().Equal(6UL * Window);
    }

    [Fact]
    public void An_ordered_checkpoint_moves_the_mark_and_the_periodic_ones_count_from_it()
    {
        var policy = new DbCheckpointSettings { Window = 2 * Window, DurationSeconds = 60 };
        var ledger = new InMemoryLedger("chain");
        var executor = NewExecutor(ledger, policy);
        RunTo(executor, ledger, 2 * Window + 10);

        Order(executor, 2 * Window + 11, OperatorCommandType.DbCheckpointCreate);

        RunTo(executor, ledger, 6 * Window).Should().Equal(3UL * Window, 5UL * Window);
    }
}
