using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Accepts a client's signed request too large for its session connection
/// (<see cref="Cairn.Protocol.Transport.ClientSessionLimits"/>, <see cref="ClientSessionListener"/>), has it ordered
/// and executed, and answers with this replica's reply.</summary>
public sealed class ClientApiService(ReplicaHost host, DeploymentConfig config) : ClientApi.ClientApiBase
{
    private readonly ClientRequestHandler _handler = new(host, config);

    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        var decoded = ClientRequestHandler.Decode(request.Request.Span);
        var answer =
            _handler.Admission(decoded, request.Request.Length, keyProven: false, out _)
            ?? await _handler.AnswerAsync(decoded, context.CancellationToken).ConfigureAwait(false);
        return answer switch
        {
            // The client has its f+1 replies and hung up, or gave up: a normal end, not a server error to log.
            null => throw new RpcException(new Status(StatusCode.Cancelled, "the client cancelled the request")),
            { RefusalCode: not 0 } => throw new RpcException(
                new Status((StatusCode)answer.RefusalCode, answer.Refusal)
            ),
            _ => new SubmitReply { Reply = answer.Reply },
        };
    }
}
