using System.Security.Cryptography.X509Certificates;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Ledger;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.Node.Hosting;

/// <summary>
/// Fetches the blocks a lagging replica lacks from its peers, one peer after another, and accepts them only if they
/// chain from its own head to exactly the digest a stable checkpoint certificate vouches for. A lying or stale peer
/// costs a retry with the next one, never a wrong block.
/// </summary>
/// <param name="replicas">Every replica, in id order.</param>
/// <param name="pins">The replicas' pinned TLS certificates: a peer is asked only after it proved to be that
/// replica.</param>
/// <param name="identity">This replica's TLS certificate with its key: block fetch serves replicas only.</param>
public sealed class StateFetcher(
    IReadOnlyList<PeerEndpoint> replicas,
    ReplicaCertificatePins pins,
    X509Certificate2 identity
) : IStateFetcher
{
    /// <inheritdoc />
    /// <remarks>The stall deadline is per block, so it scales with the amount of data instead of cutting a large honest
    /// transfer short.</remarks>
    public async Task<IReadOnlyList<Block>?> FetchAsync(
        LedgerHead head,
        SeqNum targetSeq,
        Digest certifiedDigest,
        IReadOnlyList<ReplicaId> peers,
        TimeSpan stallTimeout,
        CancellationToken cancellationToken
    )
    {
        foreach (var peer in peers)
        {
            var blocks = await TryPeerAsync(
                    replicas[peer.Value],
                    head,
                    targetSeq,
                    certifiedDigest,
                    stallTimeout,
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (blocks is not null)
            {
                return blocks;
            }
        }

        return null;
    }

    private async Task<IReadOnlyList<Block>?> TryPeerAsync(
        PeerEndpoint peer,
        LedgerHead head,
        SeqNum targetSeq,
        Digest certifiedDigest,
        TimeSpan stallTimeout,
        CancellationToken cancellationToken
    )
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stalled.CancelAfter(stallTimeout);
        using var channel = GrpcChannel.ForAddress(
            peer.Address,
            new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 256 * 1024 * 1024,
                HttpHandler = ReplicaTls.Handler(pins.Fingerprint(peer.Id), identity),
                DisposeHttpClient = true,
            }
        );
        var client = new ReplicaTransport.ReplicaTransportClient(channel);
        var chain = new FetchedChain(head, targetSeq, certifiedDigest);
        try
        {
            using var call = client.FetchBlocks(
                new FetchBlocksRequest { FromBlock = chain.NextId.Value, ToSeq = targetSeq.Value },
                cancellationToken: stalled.Token
            );
            await foreach (var message in call.ResponseStream.ReadAllAsync(stalled.Token).ConfigureAwait(false))
            {
                stalled.CancelAfter(stallTimeout);
                if (!chain.TryAdd(Block.Decode(message.Block.ToByteArray())))
                {
                    return null;
                }

                if (chain.Complete is { } blocks)
                {
                    return blocks;
                }
            }
        }
        catch (Exception e)
            when (e is RpcException or CanonicalEncodingException or HttpRequestException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            )
        {
            return null; // this peer failed, lied or stalled: the caller tries the next one
        }

        return null;
    }
}
