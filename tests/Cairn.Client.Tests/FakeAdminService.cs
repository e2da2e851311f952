using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Client.Tests;

/// <summary>The operator API of <see cref="FakeReplicas"/>: answers every query with
/// <see cref="FakeReplicas.QueryAnswer"/> for the replica whose port it came in on, and records the connection it came
/// on.</summary>
public sealed class FakeAdminService(FakeReplicas replicas) : AdminApi.AdminApiBase
{
    public override Task<OperatorQueryReply> OperatorQuery(OperatorQueryRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var replica = replicas.ReplicaAt(http.Connection.LocalPort);
        replicas.RecordQuery(replica, http.Connection.Id);
        return Task.FromResult(new OperatorQueryReply { Json = replicas.QueryAnswer(replica) });
    }
}
