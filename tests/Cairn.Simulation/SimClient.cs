using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Kv;

namespace Cairn.Simulation;

/// <summary>
/// A client with one outstanding request at a time; it broadcasts, retransmits, and accepts f+1 matching replies. It
/// writes its own key and reads it back in turn, so a replica state that lost or reordered a committed write shows as
/// a wrong read.
/// </summary>
public sealed class SimClient(ulong id, SigningKey key, int total, int valueBytes)
{
    private byte[]? _lastWritten;

    public ulong Id { get; } = id;

    public SigningKey Key { get; } = key;

    public int Total { get; } = total;

    public int Completed { get; private set; }

    public bool Done => Completed >= Total;

    public ClientRequest? Outstanding { get; private set; }

    public ReplyCollector? Collector { get; private set; }

    public List<string> Errors { get; } = [];

    private byte[] KeyBytes => System.Text.Encoding.UTF8.GetBytes($"c{Id}");

    /// <summary>Odd requests put a value that names the request, even ones get it back.</summary>
    public ClientRequest NextRequest(int f, int replicaCount)
    {
        var requestId = (ulong)Completed + 1;
        var operation =
            requestId % 2 == 1
                ? KvOperation.Put(
                    KeyBytes,
                    System.Text.Encoding.UTF8.GetBytes($"r{requestId}:" + new string('v', valueBytes))
                )
                : KvOperation.Get(KeyBytes);
        Outstanding = ClientRequest.Create(Id, requestId, RequestFlags.None, operation.Encode(), Key);
        Collector = new ReplyCollector(f, replicaCount, Id, requestId);
        return Outstanding;
    }

    /// <summary>Returns true when <paramref name="reply"/>, from replica <paramref name="replica"/>, completed the
    /// outstanding request.</summary>
    public bool OnReply(int replica, ClientReply reply)
    {
        if (Outstanding is null || Collector is null || !Collector.Add(replica, reply))
        {
            return false;
        }

        Check(KvOperation.Decode(Outstanding.Operation.Span), KvResult.Decode(Collector.Accepted!.Result.Span));
        Completed++;
        Outstanding = null;
        Collector = null;
        return true;
    }

    private void Check(KvOperation operation, KvResult result)
    {
        var request = Outstanding!.RequestId;
        if (result.Status != KvResultStatus.Ok)
        {
            Errors.Add($"client {Id} request {request}: {operation.Kind} refused: {result.Error}");
        }
        else if (operation.Kind == KvOperationKind.Put)
        {
            _lastWritten = operation.Value;
        }
        else if (!(result.Value ?? []).AsSpan().SequenceEqual(_lastWritten))
        {
            Errors.Add($"client {Id} request {request}: read a value other than the one it last wrote");
        }
    }
}
