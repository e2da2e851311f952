using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Protocol.Kv;

namespace Cairn.Node.Execution;

/// <summary>Executes a client's key-value operation.</summary>
internal static class KvOperations
{
    /// <summary>Applies one key-value operation; a put is refused with <paramref name="writesRefused"/> when it is
    /// set (a wedge), a get is answered all the same.</summary>
    public static KvResult Apply(ClientRequest request, BlockId block, BatchWrites batch, string? writesRefused)
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

        if (operation.Kind == KvOperationKind.Put && writesRefused is not null)
        {
            return KvResult.Rejected(block, writesRefused);
        }

        if (operation.Kind == KvOperationKind.Put)
        {
            batch.Put(operation.Key, operation.Value!);
            return KvResult.Written(block);
        }

        return KvResult.Read(block, batch.Get(operation.Key));
    }
}
