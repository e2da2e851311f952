using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client.Tests;

/// <summary>The client API of <see cref="FakeReplicas"/>: answers each request with a reply signed by the replica
/// whose port it came in on, once <see cref="FakeReplicas.AnswerWhen"/> lets it (or refuses it when <see
/// cref="FakeReplicas.RefuseWith"/> says so), and records every transmission.</summary>
public sealed class FakeReplicaService(FakeReplicas replicas) : ClientApi.ClientApiBase
{
    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var replica = replicas.ReplicaAt(http.Connection.LocalPort);
        var decoded = ClientRequest.Decode(request.Request.Span);
        var transmission = replicas.Record(replica, http.Connection.Id, decoded.RequestId);
        if (replicas.RefuseWith(replica, transmission) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refusal));
        }

        await replicas.AnswerWhen(replica, transmission).WaitAsync(context.CancellationToken);
        var reply = ClientReply
            .Create(decoded.ClientId, decoded.RequestId, decoded.Operation.Span)
            .SignAs(new ReplicaId(replica), replicas.Key(replica));
        return new SubmitReply { Reply = ByteString.CopyFrom(reply.Encode()) };
    }
}
