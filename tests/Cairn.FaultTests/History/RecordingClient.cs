using System.Text;
using Cairn.Client;
using Grpc.Core;

namespace Cairn.FaultTests.History;

/// <summary>A <see cref="CairnClient"/> session whose every put and get is recorded in a history: ok with the value,
/// fail when the cluster refused it (no effect), unknown when no answer came in time (effect undetermined). Values are
/// written padded with '.' to <paramref name="valueSize"/> bytes and recorded without the padding, so a large-value
/// load keeps a small history.</summary>
public sealed class RecordingClient(ClientConfig config, int session, HistoryRecorder history, int valueSize = 0)
    : IDisposable
{
    private const char Padding = '.';

    private readonly CairnClient _client = new(config, session);

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/> and records how it went.</summary>
    public Task<Operation> PutAsync(string key, string value, CancellationToken cancellationToken) =>
        RecordAsync(
            OperationKind.Put,
            key,
            value,
            async () =>
            {
                await _client
                    .PutAsync(
                        Encoding.UTF8.GetBytes(key),
                        Encoding.UTF8.GetBytes(value.PadRight(valueSize, Padding)),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return value;
            }
        );

    /// <summary>Reads <paramref name="key"/> and records the value seen.</summary>
    public Task<Operation> GetAsync(string key, CancellationToken cancellationToken) =>
        RecordAsync(
            OperationKind.Get,
            key,
            null,
            async () =>
            {
                var result = await _client
                    .GetAsync(Encoding.UTF8.GetBytes(key), cancellationToken)
                    .ConfigureAwait(false);
                return result.Value is null ? null : Encoding.UTF8.GetString(result.Value).TrimEnd(Padding);
            }
        );

    private async Task<Operation> RecordAsync(OperationKind kind, string key, string? written, Func<Task<string?>> run)
    {
        var invokedAt = HistoryRecorder.Now();
        try
        {
            var value = await run().ConfigureAwait(false);
            return history.Add(session, kind, key, value, Outcome.Ok, invokedAt, HistoryRecorder.Now());
        }
        catch (RequestRejectedException)
        {
            return history.Add(session, kind, key, written, Outcome.Fail, invokedAt, HistoryRecorder.Now());
        }
        catch (Exception e) when (e is ClusterUnavailableException or OperationCanceledException or RpcException)
        {
            // The request may still be ordered later: the checker lets it take effect at any time after its invocation.
            return history.Add(session, kind, key, written, Outcome.Unknown, invokedAt, HistoryRecorder.Now());
        }
    }

    public void Dispose() => _client.Dispose();
}
