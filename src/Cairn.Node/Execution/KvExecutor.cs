using System.Globalization;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Ledger;
using Cairn.Protocol.Kv;

namespace Cairn.Node.Execution;

/// <summary>
/// Executes committed batches of key-value operations against the ledger: every sequence number becomes exactly one
/// block (an empty one for a no-op batch), so all correct replicas hold the same chain and report the same digest.
/// Each client's latest reply is kept in the replicated state under a reserved key, so the reply cache survives
/// restarts, travels with state transfer and is part of every checkpoint.
/// </summary>
public sealed class KvExecutor(ILedgerStore ledger)
{
    /// <summary>State keys starting with this byte belong to Cairn; clients cannot write them.</summary>
    public const byte ReservedKeyByte = 0x00;

    private static readonly byte[] ReplyKeyPrefix = [ReservedKeyByte, .. "reply/"u8];

    /// <summary>Applies the batch's requests in order and appends the block; the result is what consensus needs next.</summary>
    public BatchExecuted Execute(Execute execute)
    {
        var block = ledger.Head.LastBlockId.Next;
        var writes = new List<StateWrite>();
        var written = new Dictionary<string, byte[]>();
        var replies = new List<ClientReply>(execute.Requests.Count);
        foreach (var request in execute.Requests)
        {
            var result = Apply(request, block, writes, written);
            var reply = ClientReply.Create(request.ClientId, request.RequestId, result.Encode());
            replies.Add(reply);
            writes.Add(StateWrite.Put(ReplyKey(request.ClientId), reply.Encode()));
        }

        var appended = ledger.Append(new BlockProposal(execute.Seq, execute.ConsensusTime, writes));
        return new BatchExecuted(execute.Seq, appended.Digest, replies);
    }

    /// <summary>Each client's latest reply, as the state holds them: the reply cache a restarted replica starts with.</summary>
    public IReadOnlyList<ClientReply> LatestReplies() =>
        [.. ledger.ReadState(ReplyKeyPrefix).Select(kv => ClientReply.Decode(kv.Value))];

    private KvResult Apply(ClientRequest request, BlockId block, List<StateWrite> writes, Dictionary<string, byte[]> written)
    {
        KvOperation operation;
        try
        {
            operation = KvOperation.Decode(request.Operation.Span);
        }
        catch (CanonicalEncodingException e)
        {
            return KvResult.Rejected(block, $"not a key-value operation ({e.Message})");
        }

        if (operation.Key[0] == ReservedKeyByte)
        {
            return KvResult.Rejected(block, "keys starting with byte 0x00 are reserved for Cairn");
        }

        var id = Convert.ToHexString(operation.Key);
        switch (operation.Kind)
        {
            case KvOperationKind.Put:
                writes.Add(StateWrite.Put(operation.Key, operation.Value!));
                written[id] = operation.Value!;
                return KvResult.Written(block);
            default:
                // A read sees the writes ordered before it in the same batch.
                return KvResult.Read(block, written.TryGetValue(id, out var value) ? value : ledger.GetValue(operation.Key));
        }
    }

    private static byte[] ReplyKey(ulong clientId) =>
        [.. ReplyKeyPrefix, .. System.Text.Encoding.ASCII.GetBytes(clientId.ToString("D20", CultureInfo.InvariantCulture))];
}
