using Cairn.Core;
using Cairn.Ledger;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Replica-to-replica calls (state transfer; consensus messages come through <see cref="PeerFrameListener"/>),
/// served to replicas only: the connection must have presented a replica's pinned TLS certificate
/// (<see cref="ReplicaCertificatePins"/>).</summary>
public sealed class ReplicaTransportService(ILedgerReader ledger, ReplicaCertificatePins pins)
    : ReplicaTransport.ReplicaTransportBase
{
    public override async Task FetchBlocks(
        FetchBlocksRequest request,
        IServerStreamWriter<BlockBytes> responseStream,
        ServerCallContext context
    )
    {
        AuthenticatedReplica(context);
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

    /// <summary>The replica whose pinned certificate the caller's connection presented.</summary>
    /// <exception cref="RpcException">Unauthenticated when it presented none (Kestrel already refused a certificate
    /// that is not pinned).</exception>
    private ReplicaId AuthenticatedReplica(ServerCallContext context) =>
        pins.ReplicaOf(context.GetHttpContext().Connection.ClientCertificate)
        ?? throw new RpcException(
            new Status(
                StatusCode.Unauthenticated,
                "the replica transport serves replicas only: present a replica's TLS certificate"
            )
        );
}
