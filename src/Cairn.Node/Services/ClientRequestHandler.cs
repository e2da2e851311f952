using System.Globalization;
using Cairn.ClientProtocol;
using Cairn.Core.Encoding;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>What the client API does with one request, whichever call it came on: admission (size, known client,
/// signature, checked here on the I/O thread), ordering by the host, and this replica's reply or the reason it
/// refused.</summary>
internal sealed class ClientRequestHandler(ReplicaHost host, DeploymentConfig config)
{
    /// <summary>Decodes <paramref name="bytes"/>; throws an <see cref="RpcException"/> (InvalidArgument) with the
    /// reason when it is not a client request.</summary>
    public static ClientRequest Decode(ByteString bytes)
    {
        try
        {
            return ClientRequest.Decode(bytes.Span);
        }
        catch (CanonicalEncodingException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"not a client request ({e.Message})"));
        }
    }

    /// <summary>Why this replica refuses <paramref name="request"/> (<paramref name="length"/> bytes encoded)
    /// outright: too large, unknown client, bad signature (checked here, on the I/O thread); null when it may be
    /// ordered.</summary>
    public SessionReply? Admission(ClientRequest request, int length)
    {
        if (length > config.LargestRequest)
        {
            var limit =
                config.LargestRequest == config.MaxRequestSize
                    ? $"max_request_size of {config.MaxRequestSize} bytes"
                    : $"largest request that fits a batch of max_batch_size_in_bytes {config.MaxBatchBytes} "
                        + $"({config.LargestRequest} bytes)";
            return Refused(
                request,
                StatusCode.InvalidArgument,
                string.Create(CultureInfo.InvariantCulture, $"request of {length} bytes is over this replica's {limit}")
            );
        }

        return host.Refusal(request) is { } refusal ? Refused(request, StatusCode.InvalidArgument, refusal) : null;
    }

    /// <summary>Has an admitted <paramref name="request"/> ordered and returns this replica's signed reply, or a
    /// refusal with its status code and reason; null when <paramref name="cancellationToken"/> fired first (the client
    /// hung up or gave up).</summary>
    public async Task<SessionReply?> AnswerAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await host.SubmitAsync(request, cancellationToken, signatureVerified: true)
                .ConfigureAwait(false);
            return new SessionReply
            {
                ClientId = request.ClientId,
                RequestId = request.RequestId,
                Reply = ByteString.CopyFrom(reply.Encode()),
            };
        }
        catch (ReplicaWedgedException e)
        {
            return Refused(request, StatusCode.FailedPrecondition, e.Message);
        }
        catch (ReplicaBusyException e)
        {
            return Refused(request, StatusCode.ResourceExhausted, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>A refusal of <paramref name="request"/>.</summary>
    public static SessionReply Refused(ClientRequest request, StatusCode code, string reason) =>
        new()
        {
            ClientId = request.ClientId,
            RequestId = request.RequestId,
            RefusalCode = (int)code,
            Refusal = reason,
        };
}
