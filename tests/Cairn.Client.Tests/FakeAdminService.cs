using Cairn.Core;
using Cairn.Operator;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client.Tests;

/// <summary>The operator API of <see cref="FakeReplicas"/>: answers every query with
/// <see cref="FakeReplicas.QueryAnswer"/> for the replica whose port it came in on, signed as a replica signs its
/// answers (with the key <see cref="FakeReplicas.SignAs"/> picks), and records the connection it came on.</summary>
public sealed class FakeAdminService(FakeReplicas replicas) : AdminApi.AdminApiBase
{
    public override Task<OperatorQueryReply> OperatorQuery(OperatorQueryRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var replica = replicas.ReplicaAt(http.Connection.LocalPort);
        replicas.RecordQuery(replica, http.Connection.Id);
        var json = replicas.QueryAnswer(replica);
        var signature = OperatorAnswerSignature.Sign(
            replicas.Config.ChainId!,
            new ReplicaId(replica),
            OperatorCommand.Decode(request.Command.Span).Nonce,
            json,
            replicas.Key(replicas.SignAs(replica))
        );
        return Task.FromResult(
            new OperatorQueryReply { Json = json, Signature = ByteString.CopyFrom(signature.Bytes) }
        );
    }
}
