using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Receives a peer's stream of consensus messages; each is decoded and authenticated on this I/O thread
/// before it is queued for the consensus thread (<see cref="ReplicaHost.ReceivePeerMessage"/>).</summary>
public sealed class ReplicaTransportService(ReplicaHost host, ILedgerReader ledger)
    : ReplicaTransport.ReplicaTransportBase
{
    public override async Task<StreamClosed> Stream(
        IAsyncStreamReader<PeerEnvelope> requestStream,
        ServerCallContext context
    )
    {
        await foreach (var envelope in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            host.ReceivePeerMessage(new ReplicaId(envelope.FromReplica), envelope.Message.Memory);
        }

        return new StreamClosed();
    }

    public override async Task FetchBlocks(
        FetchBlocksRequest request,
        IServerStreamWriter<BlockBytes> responseStream,
        ServerCallContext context
    )
    {
        foreach (var block in ledger.ReadBlocks(new BlockId(request.FromBlock)))
        {
            await responseStream
                .WriteAsync(
                    new BlockBytes { Block = ByteString.CopyFrom(block.Encoded.Span) },
                    context.CancellationToken
                )
                .ConfigureAwait(false);
            if (block.SeqNum.Value >= request.ToSeq)
            {
                break;
            }
        }
    }
}
