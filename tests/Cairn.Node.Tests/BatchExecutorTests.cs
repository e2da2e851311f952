using AwesomeAssertions;
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

    private BatchExecutor NewExecutor(ILedgerStore ledger) =>
        new(ledger, new OperatorCommandVerifier(_operatorKey.PublicKey, TimeSpan.FromMinutes(5)), Window);

    private ExecutionOutcome Order(BatchExecutor executor, ulong seq, OperatorCommandType type)
    {
        var command = OperatorCommand.Create(type, [], Now, _operatorKey);
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

        var unwedge = Order(executor, point.Value + 1, OperatorCommandType.Unwedge);

        Answer(unwedge).Should().Contain("epoch 1");
        unwedge.Executed.WedgePoint.Should().BeNull();
        executor.Epoch.Should().Be(1);
    }

    [Fact]
    public void Db_checkpoint_create_marks_the_next_boundary_in_the_state_for_replicas_that_arrive_by_state_transfer()
    {
        var ledger = new InMemoryLedger("chain");
        var executor = new BatchExecutor(
            ledger,
            new OperatorCommandVerifier(_operatorKey.PublicKey, TimeSpan.FromMinutes(5)),
            Window
        );
        executor.CheckpointMark.Should().BeNull();

        var command = OperatorCommand.Create(OperatorCommandType.DbCheckpointCreate, [], Now, _operatorKey);
        var request = ClientRequest.Create(
            ClientIdentity.ClientId(ClientIdentity.OperatorKeyIndex, 1),
            1,
            RequestFlags.Operator,
            command.Encode(),
            _operatorKey
        );
        var outcome = executor.Execute(new Execute(new SeqNum(7), new Batch([request]), Now, [request]));

        outcome.Effects.Should().ContainSingle().Which.Should().BeOfType<CheckpointRequested>();
        executor.CheckpointMark.Should().Be(new SeqNum(Window));
        // The mark is state: a replica that installs this block by state transfer reads the same value.
        var transferred = new InMemoryLedger("chain");
        foreach (var block in ledger.ReadBlocks(BlockId.Genesis.Next))
        {
            transferred.Append(new BlockProposal(block.SeqNum, block.Timestamp, block.Writes));
        }

        var verifier = new OperatorCommandVerifier(_operatorKey.PublicKey, TimeSpan.FromMinutes(5));
        new BatchExecutor(transferred, verifier, Window).CheckpointMark.Should().Be(new SeqNum(Window));
    }
}
