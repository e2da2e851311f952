using System.Net;
using Cairn.ClientProtocol;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Cairn.Client.Tests;

/// <summary>The session connections of <see cref="FakeReplicas"/> (<see cref="Frames.ClientAlpn"/>): answers each
/// request as <see cref="FakeReplicas.AnswerAsync"/> says, a refusal as a refused <c>SessionReply</c>, and records
/// each connection ("Session") and each one the client ended with TLS close_notify ("SessionEnded"). An answer that
/// fails with anything but a refusal aborts the connection, as a replica that lost it.</summary>
public sealed class FakeSessionListener(FakeReplicas replicas)
{
    /// <summary>Serves <paramref name="connection"/> when it is a session connection, otherwise hands it to
    /// <paramref name="next"/>.</summary>
    public async Task ServeOrPassAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var protocol = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol;
        if (protocol is null || !protocol.Value.Span.SequenceEqual(Frames.ClientAlpn.Protocol.Span))
        {
            await next(connection);
            return;
        }

        await ServeAsync(connection);
    }

    private async Task ServeAsync(ConnectionContext connection)
    {
        var replica = replicas.ReplicaAt(((IPEndPoint)connection.LocalEndPoint!).Port);
        replicas.RecordCall(replica, "Session");
        var hangUp = connection.ConnectionClosed;
        using var writing = new SemaphoreSlim(1);
        var broken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answers = new List<Task>();
        var reading = Task.Run(
            async () =>
            {
                var input = connection.Transport.Input;
                var frames = new FrameReader(ClientSessionLimits.LargestOnSession);
                var received = new List<byte[]>();
                while (true)
                {
                    var read = await input.ReadAsync(hangUp);
                    var left = frames.Take(read.Buffer, static (bytes, into) => into.Add(bytes.ToArray()), received);
                    input.AdvanceTo(left.Start, left.End);
                    answers.AddRange(received.Select(bytes => AnswerAsync(ByteString.CopyFrom(bytes))));
                    received.Clear();
                    if (read.IsCompleted)
                    {
                        return;
                    }
                }
            },
            hangUp
        );

        if (await Task.WhenAny(reading, broken.Task) == broken.Task)
        {
            connection.Abort();
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        await Task.WhenAll(answers);
        if (reading.IsCompletedSuccessfully)
        {
            // The client ended its side (no more requests come): a close, not a reset.
            replicas.RecordCall(replica, "SessionEnded");
        }

        async Task AnswerAsync(ByteString bytes)
        {
            var request = ClientRequest.Decode(bytes.Span);
            var answer = new SessionReply { ClientId = request.ClientId, RequestId = request.RequestId };
            try
            {
                answer.Reply = await replicas.AnswerAsync(replica, connection.ConnectionId, bytes, hangUp);
            }
            catch (InvalidOperationException)
            {
                broken.TrySetResult();
                return;
            }
            catch (RpcException e)
            {
                answer.RefusalCode = (int)e.StatusCode;
                answer.Refusal = e.Status.Detail;
            }

            await writing.WaitAsync(hangUp);
            try
            {
                var output = connection.Transport.Output;
                Frames.Write(output, answer.ToByteArray());
                await output.FlushAsync(hangUp);
            }
            finally
            {
                writing.Release();
            }
        }
    }
}
