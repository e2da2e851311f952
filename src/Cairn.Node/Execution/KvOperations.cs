using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Protocol.Kv;

namespace Cairn.Node.Execution;

/// <summary>Executes a client's key-value operation.</summary>
internal static class KvOperations
{
    public static KvResult Apply(ClientRequest request, BlockId block, BatchWrites batch)
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

        if (operation.Key[0] == ReplicatedKeys.ReservedByte)
        {
            return KvResult.Rejected(block, "keys starting with byte 0x00 are reserved for Cairn");
        }

        if (operation.Kind == KvOperationKind.Put)
        {
            batch.Put(operation.Key, operation.Value!);
            return KvResult.Written(block);
        }

        return KvResult.Read(block, batch.Get(operation.Key));
    }
}
