using System.Runtime.CompilerServices;
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
/// Reads the blocks a lagging replica lacks from its peers over the replica transport, for <see
/// cref="BlockTransfer"/> to check: a peer is asked only after it proved over TLS to be the replica it is pinned to.
/// </summary>
/// <param name="replicas">Every replica, in id order.</param>
/// <param name="pins">The replicas' pinned TLS certificates.</param>
/// <param name="identity">This replica's TLS certificate with its key: block fetch serves replicas only.</param>
public sealed class StateFetcher(
    IReadOnlyList<PeerEndpoint> replicas,
    ReplicaCertificatePins pins,
    X509Certificate2 identity
) : IBlockSource
{
    /// <inheritdoc />
    /// <remarks>The stall deadline is per block, so it scales with the amount of data instead of cutting a large honest
    /// transfer short.</remarks>
    public async IAsyncEnumerable<Block> ReadAsync(
        ReplicaId peer,
        BlockId from,
        SeqNum toSeq,
        TimeSpan stallTimeout,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stalled.CancelAfter(stallTimeout);
        var endpoint = replicas[peer.Value];
        using var channel = GrpcChannel.ForAddress(
            endpoint.Address,
            new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 256 * 1024 * 1024,
                HttpHandler = ReplicaTls.Handler(pins.Fingerprint(endpoint.Id), identity),
                DisposeHttpClient = true,
            }
        );
        var client = new ReplicaTransport.ReplicaTransportClient(channel);
        using var call = client.FetchBlocks(
            new FetchBlocksRequest { FromBlock = from.Value, ToSeq = toSeq.Value },
            cancellationToken: stalled.Token
        );
        while (
            await NextAsync(call.ResponseStream, stalled.Token, cancellationToken).ConfigureAwait(false) is { } block
        )
        {
            stalled.CancelAfter(stallTimeout);
            yield return block;
        }
    }

    /// <summary>The next block the peer sent; null when its stream ended, broke, stalled or carried something that is
    /// not a block (the caller then tries another peer).</summary>
    private static async Task<Block?> NextAsync(
        IAsyncStreamReader<BlockBytes> stream,
        CancellationToken stalled,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await stream.MoveNext(stalled).ConfigureAwait(false)
                ? Block.Decode(stream.Current.Block.ToByteArray())
                : null;
        }
        catch (Exception e)
            when (e is RpcException or CanonicalEncodingException or HttpRequestException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            )
        {
            return null;
        }
    }
}
