using Cairn.TransportBench.Grpc;
using Grpc.Core;

namespace Cairn.TransportBench;

/// <summary>Sends every envelope back as it comes.</summary>
internal sealed class EchoService : Echo.EchoBase
{
    public override async Task Stream(
        IAsyncStreamReader<Envelope> requestStream,
        IServerStreamWriter<Envelope> responseStream,
        ServerCallContext context
    )
    {
        await foreach (var envelope in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(envelope, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
