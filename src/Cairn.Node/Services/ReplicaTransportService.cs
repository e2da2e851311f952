using Cairn.Consensus;
using Cairn.Core;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Receives a peer's stream of consensus messages and hands them to the consensus thread, which decodes,
/// verifies and counts bad ones.</summary>
public sealed class ReplicaTransportService(ReplicaHost host) : ReplicaTransport.ReplicaTransportBase
{
    public override async Task<StreamClosed> Stream(IAsyncStreamReader<PeerEnvelope> requestStream, ServerCallContext context)
    {
        await foreach (var envelope in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            host.Post(new RawMessageReceived(new ReplicaId(envelope.FromReplica), envelope.Message.Memory));
        }

        return new StreamClosed();
    }
}
