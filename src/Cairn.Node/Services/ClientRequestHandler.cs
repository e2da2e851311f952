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
    public static ClientRequest Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return ClientRequest.Decode(bytes);
        }
        catch (CanonicalEncodingException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"not a client request ({e.Message})"));
        }
    }

    /// <summary>Why this replica refuses <paramref name="request"/> (<paramref name="length"/> bytes encoded)
    /// outright: too large, unknown client, bad signature (checked here, on the I/O thread, unless
    /// <paramref name="keyProven"/> lets its session vouch for it: <see cref="ReplicaHost.Refusal"/>); null when it
    /// may be ordered, with <paramref name="signatureChecked"/> saying how it was authenticated.</summary>
    public SessionReply? Admission(ClientRequest request, int length, bool keyProven, out bool signatureChecked)
    {
        signatureChecked = false;
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

        return host.Refusal(request, keyProven, out signatureChecked) is { } refusal
            ? Refused(request, StatusCode.InvalidArgument, refusal)
            : null;
    }

    /// <inheritdoc cref="ReplicaHost.Proves"/>
    public bool Proves(SessionProof proof, ReadOnlySpan<byte> challenge) => host.Proves(proof, challenge);

    /// <summary>Has an admitted <paramref name="request"/> ordered, <paramref name="waiter"/> to get the reply
    /// (<see cref="ReplicaHost.Order"/>); the refusal with its status code and reason when the replica is wedged or
    /// busy, else null.</summary>
    public SessionReply? Order(ClientRequest request, ReplyWaiter waiter, bool signatureChecked = true)
    {
        try
        {
            host.Order(request, waiter, signatureChecked);
            return null;
        }
        catch (ReplicaWedgedException e)
        {
            return Refused(request, StatusCode.FailedPrecondition, e.Message);
        }
        catch (ReplicaBusyException e)
        {
            return Refused(request, StatusCode.ResourceExhausted, e.Message);
        }
    }

    /// <inheritdoc cref="ReplicaHost.StopWaiting"/>
    public void StopWaiting(ClientRequest request, ReplyWaiter waiter) => host.StopWaiting(request, waiter);

    /// <summary>Has an admitted <paramref name="request"/> ordered and returns this replica's reply, or a refusal with
    /// its status code and reason; null when <paramref name="cancellationToken"/> fired first (the client hung up or
    /// gave up).</summary>
    public async Task<SessionReply?> AnswerAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        var waiter = new TaskReplyWaiter();
        if (Order(request, waiter) is { } refused)
        {
            return refused;
        }

        try
        {
            return Answer(request, await waiter.Reply.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            host.StopWaiting(request, waiter);
            return null;
        }
    }

    /// <summary>The answer to <paramref name="request"/> that carries <paramref name="reply"/>.</summary>
    public static SessionReply Answer(ClientRequest request, ClientReply reply) =>
        new()
        {
            ClientId = request.ClientId,
            RequestId = request.RequestId,
            Reply = UnsafeByteOperations.UnsafeWrap(reply.Encode()),
        };

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
