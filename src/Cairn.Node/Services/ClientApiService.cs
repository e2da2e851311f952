using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Accepts clients' signed requests, has them ordered and executed, and answers each with this replica's
/// signed reply: many per <see cref="Session"/> stream, or one large one per <see cref="Submit"/> call.</summary>
public sealed class ClientApiService(ReplicaHost host, DeploymentConfig config) : ClientApi.ClientApiBase
{
    private readonly ClientRequestHandler _handler = new(host, config);

    public override async Task Session(
        IAsyncStreamReader<SessionRequests> requestStream,
        IServerStreamWriter<SessionReplies> responseStream,
        ServerCallContext context
    )
    {
        using var session = new ClientSession(_handler, responseStream, context.CancellationToken);
        await session.RunAsync(requestStream).ConfigureAwait(false);
    }

    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        var decoded = ClientRequestHandler.Decode(request.Request);
        var answer =
            _handler.Admission(decoded, request.Request.Length)
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
