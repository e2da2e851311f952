using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Client.Tests;

/// <summary>The gRPC client API of <see cref="FakeReplicas"/>: answers a request too large for a session connection
/// as <see cref="FakeReplicas.AnswerAsync"/> says, and records the call.</summary>
public sealed class FakeReplicaService(FakeReplicas replicas) : ClientApi.ClientApiBase
{
    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var replica = replicas.ReplicaAt(http.Connection.LocalPort);
        replicas.RecordCall(replica, "Submit");
        return new()
        {
            Reply = await replicas.AnswerAsync(replica, http.Connection.Id, request.Request, context.CancellationToken),
        };
    }
}
