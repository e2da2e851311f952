using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;

namespace Cairn.Client;

/// <summary>
/// How a client process sends requests to one replica: every request up to
/// <see cref="ClientSessionLimits.LargestOnSession"/> travels on one shared session connection
/// (<see cref="Frames.ClientAlpn"/>, opened again after it breaks), a larger one on a gRPC <c>Submit</c> call of its
/// own, so the replica can refuse it alone.
/// </summary>
public sealed class ReplicaSession : IDisposable
{
    private readonly ReplicaAddress _address;
    private readonly ClientApi.ClientApiClient _api;
    private readonly Lock _lock = new();
    private SessionConnection? _connection;
    private bool _disposed;

    /// <summary>Requests to <paramref name="replica"/>: large ones through <paramref name="api"/> (a gRPC client of
    /// it), the others on a session connection of their own.</summary>
    /// <param name="maxReplyBytes">The largest answer accepted on the session connection.</param>
    /// <exception cref="Cairn.Core.Crypto.KeyFileException">When the replica's TLS certificate cannot be
    /// read.</exception>
    public ReplicaSession(PeerEndpoint replica, ClientApi.ClientApiClient api, int maxReplyBytes)
    {
        ArgumentNullException.ThrowIfNull(replica);
        _address = ReplicaAddress.Of(replica, maxReplyBytes);
        _api = api;
    }

    /// <summary>Sends <paramref name="request"/>, signed by <paramref name="key"/>, and returns the replica's encoded
    /// reply. The key also proves itself on the session connection (<see cref="SessionProof"/>), once per
    /// connection.</summary>
    /// <exception cref="Grpc.Core.RpcException">When the replica refused the request (its status code and reason),
    /// could not be reached, or <paramref name="cancellationToken"/> fired.</exception>
    public async Task<ByteString> SubmitAsync(
        ClientRequest request,
        SigningKey key,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Encoded.Length > ClientSessionLimits.LargestOnSession)
        {
            var reply = await _api.SubmitAsync(
                    new SubmitRequest { Request = ByteString.CopyFrom(request.Encoded) },
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
            return reply.Reply;
        }

        return await Connection().SubmitAsync(request, key, cancellationToken).ConfigureAwait(false);
    }

    private SessionConnection Connection()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is null || _connection.IsBroken)
            {
                _connection?.Dispose();
                _connection = new SessionConnection(_address);
            }

            return _connection;
        }
    }

    /// <summary>Ends the open session connection, if any, as a client that is done
    /// (<see cref="SessionConnection.CloseAsync"/>): true when the replica ended it within
    /// <paramref name="patience"/>, or there was none to end.</summary>
    public Task<bool> CloseAsync(TimeSpan patience)
    {
        lock (_lock)
        {
            return _connection is null ? Task.FromResult(true) : _connection.CloseAsync(patience);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _connection?.Dispose();
        }
    }
}
