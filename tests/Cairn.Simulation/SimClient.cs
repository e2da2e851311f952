using Cairn.ClientProtocol;
using Cairn.Core.Crypto;

namespace Cairn.Simulation;

/// <summary>A client with one outstanding request at a time; it broadcasts, retransmits, and accepts f+1 matching
/// replies.</summary>
public sealed class SimClient(ulong id, SigningKey key, int total, int valueBytes)
{
    public ulong Id { get; } = id;

    public SigningKey Key { get; } = key;

    public int Total { get; } = total;

    public int Completed { get; private set; }

    public bool Done => Completed >= Total;

    public ClientRequest? Outstanding { get; private set; }

    public ReplyCollector? Collector { get; private set; }

    public List<string> Errors { get; } = [];

    public ClientRequest NextRequest(int f, IReadOnlyList<VerificationKey> replicaKeys)
    {
        var requestId = (ulong)Completed + 1;
        var operation = System.Text.Encoding.UTF8.GetBytes($"put c{Id} r{requestId} {new string('v', valueBytes)}");
        Outstanding = ClientRequest.Create(Id, requestId, RequestFlags.None, operation, Key);
        Collector = new ReplyCollector(f, replicaKeys, Id, requestId);
        return Outstanding;
    }

    /// <summary>Returns true when this reply completed the outstanding request.</summary>
    public bool OnReply(ClientReply reply)
    {
        if (Outstanding is null || Collector is null || !Collector.Add(reply))
        {
            return false;
        }

        var result = Collector.Accepted!.Result.Span;
        if (result.Length < 8 || !result[8..].SequenceEqual(Outstanding.Operation.Span))
        {
            Errors.Add(
                $"client {Id} request {Outstanding.RequestId}: accepted a result that does not echo its operation"
            );
        }

        Completed++;
        Outstanding = null;
        Collector = null;
        return true;
    }
}
