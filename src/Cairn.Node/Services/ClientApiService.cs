using System.Globalization;
using Cairn.ClientProtocol;
using Cairn.Core.Encoding;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>Accepts a client's signed request, has it ordered and executed, and answers with this replica's signed
/// reply.</summary>
public sealed class ClientApiService(ReplicaHost host, DeploymentConfig config) : ClientApi.ClientApiBase
{
    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        if (request.Request.Length > config.LargestRequest)
        {
            var limit =
                config.LargestRequest == config.MaxRequestSize
                    ? $"max_request_size of {config.MaxRequestSize} bytes"
                    : $"largest request that fits a batch of max_batch_size_in_bytes {config.MaxBatchBytes} "
                        + $"({config.LargestRequest} bytes)";
            throw new RpcException(
                new Status(
                    StatusCode.InvalidArgument,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"request of {request.Request.Length} bytes is over this replica's {limit}"
                    )
                )
            );
        }

        ClientRequest decoded;
        try
        {
            decoded = ClientRequest.Decode(request.Request.Span);
        }
        catch (CanonicalEncodingException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"not a client request ({e.Message})"));
        }

        if (host.Refusal(decoded) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, refusal));
        }

        ClientReply reply;
        try
        {
            reply = await host.SubmitAsync(decoded, context.CancellationToken, signatureVerified: true)
                .ConfigureAwait(false);
        }
        catch (ReplicaWedgedException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (ReplicaBusyException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client has its f+1 replies and hung up, or gave up: a normal end, not a server error to log.
            throw new RpcException(new Status(StatusCode.Cancelled, "the client cancelled the request"));
        }

        return new SubmitReply { Reply = ByteString.CopyFrom(reply.Encode()) };
    }
}
