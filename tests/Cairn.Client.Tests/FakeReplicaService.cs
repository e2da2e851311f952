using Cairn.ClientProtocol;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client.Tests;

/// <summary>The client API of <see cref="FakeReplicas"/>: answers each request with a reply signed by the replica
/// whose port it came in on, once <see cref="FakeReplicas.AnswerWhen"/> lets it (or refuses it when <see
/// cref="FakeReplicas.RefuseWith"/> says so), and records every transmission, on a session stream or a call of its
/// own.</summary>
public sealed class FakeReplicaService(FakeReplicas replicas) : ClientApi.ClientApiBase
{
    public override async Task Session(
        IAsyncStreamReader<SessionRequests> requestStream,
        IServerStreamWriter<SessionReplies> responseStream,
        ServerCallContext context
    )
    {
        var replica = replicas.ReplicaAt(context.GetHttpContext().Connection.LocalPort);
        replicas.RecordCall(replica, "Session");
        using var writing = new SemaphoreSlim(1);
        // An answer that fails with anything but a refusal ends the stream with that error, as a replica that lost it.
        var broken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = new List<Task>();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var reading = Task.Run(async () =>
        {
            await foreach (var frame in requestStream.ReadAllAsync(stopReading.Token))
            {
                foreach (var bytes in frame.Requests)
                {
                    answers.Add(AnswerOnStreamAsync(bytes));
                }
            }
        });

        if (await Task.WhenAny(reading, broken.Task) == broken.Task)
        {
            // Stop reading before the call ends (Kestrel reuses the stream's objects), then end it with the error.
            await stopReading.CancelAsync();
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            await broken.Task;
        }

        await Task.WhenAll(answers);
        if (reading.IsCompletedSuccessfully)
        {
            // The client completed its request stream (no more requests come): a close, not a reset.
            replicas.RecordCall(replica, "SessionEnded");
        }

        async Task AnswerOnStreamAsync(ByteString bytes)
        {
            SessionReply answer;
            try
            {
                answer = new SessionReply { Reply = await AnswerAsync(bytes, context) };
            }
            catch (InvalidOperationException e)
            {
                broken.TrySetException(e);
                return;
            }
            catch (RpcException e)
            {
                var request = ClientRequest.Decode(bytes.Span);
                answer = new SessionReply
                {
                    ClientId = request.ClientId,
                    RequestId = request.RequestId,
                    RefusalCode = (int)e.StatusCode,
                    Refusal = e.Status.Detail,
                };
            }

            var reply = answer.Reply.IsEmpty ? null : ClientReply.Decode(answer.Reply.Span);
            answer.ClientId = reply?.ClientId ?? answer.ClientId;
            answer.RequestId = reply?.RequestId ?? answer.RequestId;
            await writing.WaitAsync(context.CancellationToken);
            try
            {
                await responseStream.WriteAsync(new SessionReplies { Replies = { answer } }, context.CancellationToken);
            }
            finally
            {
                writing.Release();
            }
        }
    }

    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        replicas.RecordCall(replicas.ReplicaAt(context.GetHttpContext().Connection.LocalPort), "Submit");
        return new() { Reply = await AnswerAsync(request.Request, context) };
    }

    private async Task<ByteString> AnswerAsync(ByteString request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var replica = replicas.ReplicaAt(http.Connection.LocalPort);
        var decoded = ClientRequest.Decode(request.Span);
        var transmission = replicas.Record(replica, http.Connection.Id, decoded.RequestId);
        if (replicas.RefuseWith(replica, transmission) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refusal));
        }

        await replicas.AnswerWhen(replica, transmission).WaitAsync(context.CancellationToken);
        var reply = ClientReply.Create(decoded.ClientId, decoded.RequestId, decoded.Operation.Span);
        return ByteString.CopyFrom(reply.Encode());
    }
}
