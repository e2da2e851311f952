using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Client;

/// <summary>Asks replicas about themselves (the admin API), for status commands.</summary>
public static class ReplicaAdmin
{
    /// <summary>The replica's status, or null when it does not answer within <paramref name="timeout"/>.</summary>
    public static async Task<ReplicaStatus?> StatusAsync(
        PeerEndpoint replica,
        TimeSpan timeout,
        CancellationToken cancellationToken = default
    )
    {
        using var channel = ReplicaChannels.Open(replica);
        try
        {
            return await new AdminApi.AdminApiClient(channel)
                .StatusAsync(
                    new StatusRequest(),
                    deadline: DateTime.UtcNow.Add(timeout),
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
