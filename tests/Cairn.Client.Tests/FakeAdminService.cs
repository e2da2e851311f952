using Cairn.Core;
using Cairn.Operator;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client.Tests;

/// <summary>The operator API of <see cref="FakeReplicas"/>: answers every query with
/// <see cref="FakeReplicas.QueryAnswer"/> (once <see cref="FakeReplicas.QueryAnswerWhen"/> lets it) for the replica
/// whose port it came in on, signed as a replica signs its answers (with the key <see cref="FakeReplicas.SignAs"/>
/// picks), and records the connection it came on.</summary>
public sealed class FakeAdminService(FakeReplicas replicas) : AdminApi.AdminApiBase
{
    public override async Task<OperatorQueryReply> OperatorQuery(
        OperatorQueryRequest request,
        ServerCallContext context
    )
    {
        var http = context.GetHttpContext();
        var replica = replicas.ReplicaAt(http.Connection.LocalPort);
        var query = replicas.RecordQuery(replica, http.Connection.Id);
        await replicas.QueryAnswerWhen(replica, query).WaitAsync(context.CancellationToken);
        var json = replicas.QueryAnswer(replica);
        var signature = OperatorAnswerSignature.Sign(
            replicas.Config.ChainId!,
            new ReplicaId(replica),
            OperatorCommand.Decode(request.Command.Span).Nonce,
            json,
            replicas.Key(replicas.SignAs(replica))
        );
        return new OperatorQueryReply { Json = json, Signature = ByteString.CopyFrom(signature.Bytes) };
    }
}
