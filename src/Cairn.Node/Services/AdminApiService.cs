using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Answers what the replica knows about itself, for <c>cairn cluster status</c>.</summary>
public sealed class AdminApiService(
    ReplicaHost host,
    DeploymentConfig config,
    TimeProvider time,
    OperatorQueries queries
) : AdminApi.AdminApiBase
{
    public override Task<ReplicaStatus> Status(StatusRequest request, ServerCallContext context)
    {
        var status = host.Status;
        return Task.FromResult(
            new ReplicaStatus
            {
                ReplicaId = status.Replica.Value,
                View = status.View.Value,
                Primary = status.Primary.Value,
                ViewActive = status.ViewActive,
                ViewComplaints = status.ViewComplaints,
                LastExecutedSeq = status.LastExecuted.Value,
                LastStableSeq = status.LastStable.Value,
                LastBlockId = status.Head.LastBlockId.Value,
                LastBlockDigest = status.Head.LastDigest.ToHex(),
                TransferringState = status.TransferringState,
                PendingRequests = status.PendingRequests,
                ChainId = config.ChainId,
                UptimeMs = (long)(time.GetUtcNow() - host.StartedAt).TotalMilliseconds,
                WedgePoint = status.WedgePoint?.Value ?? 0,
                Epoch = status.Epoch,
            }
        );
    }

    public override Task<OperatorQueryReply> OperatorQuery(OperatorQueryRequest request, ServerCallContext context) =>
        Task.FromResult(queries.Answer(request.Command.Span));
}
