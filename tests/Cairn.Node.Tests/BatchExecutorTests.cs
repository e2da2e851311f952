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
