using Cairn.ClientProtocol;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;

namespace Cairn.Client;

/// <summary>
/// How a client process sends requests to one replica: every request that fits a frame travels on one shared
/// <c>Session</c> stream (opened again after it breaks), a larger one on a <c>Submit</c> call of its own, so the
/// replica can refuse it alone (<see cref="ClientSessionLimits"/>).
/// </summary>
public sealed class ReplicaSession : IDisposable
{
    private readonly ClientApi.ClientApiClient _api;
    private readonly Lock _lock = new();
    private SessionStream? _stream;
    private bool _disposed;

    /// <summary>Requests to the replica behind <paramref name="api"/>.</summary>
    public ReplicaSession(ClientApi.ClientApiClient api) => _api = api;

    /// <summary>Sends <paramref name="request"/> and returns the replica's encoded reply.</summary>
    /// <exception cref="Grpc.Core.RpcException">When the replica refused the request (its status code and reason),
    /// could not be reached, or <paramref name="cancellationToken"/> fired.</exception>
    public async Task<ByteString> SubmitAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Encoded.Length > ClientSessionLimits.LargestCoalesced)
        {
            var reply = await _api.SubmitAsync(
                    new SubmitRequest { Request = ByteString.CopyFrom(request.Encoded) },
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
            return reply.Reply;
        }

        return await Stream().SubmitAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private SessionStream Stream()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stream is null || _stream.IsBroken)
            {
                _stream?.Dispose();
                _stream = new SessionStream(_api);
            }

            return _stream;
        }
    }

    /// <summary>Ends the open session stream, if any, as a client that is done
    /// (<see cref="SessionStream.CloseAsync"/>): true when the replica ended it within <paramref name="patience"/>, or
    /// there was none to end.</summary>
    public Task<bool> CloseAsync(TimeSpan patience)
    {
        lock (_lock)
        {
            return _stream is null ? Task.FromResult(true) : _stream.CloseAsync(patience);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _stream?.Dispose();
        }
    }
}
