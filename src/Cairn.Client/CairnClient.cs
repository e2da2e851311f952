using System.Globalization;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client;

/// <summary>
/// Talks to a Cairn cluster as one client session: signs each request, sends it to every replica (so a faulty or
/// changing primary cannot stall it), and returns the answer once f+1 replicas signed the same reply. Replicas that
/// fail are retried with backoff until the request timeout. One request at a time per client; use several clients
/// (sessions) for concurrency, sharing one <see cref="ReplicaChannels"/>.
/// </summary>
public sealed class CairnClient : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private readonly ClientConfig _config;
    private readonly SigningKey _key;
    private readonly IReadOnlyList<VerificationKey> _replicaKeys;
    private readonly ReplicaChannels _replicas;
    private readonly bool _ownsChannels;
    private readonly TimeProvider _time;
    private ulong _lastRequestId;

    /// <summary>A client for session <paramref name="session"/> of the config's key (0..1023; concurrent clients
    /// sharing a key need distinct sessions), with connections of its own: for one-off commands.</summary>
    /// <exception cref="KeyFileException">When a key file is missing or malformed.</exception>
    public CairnClient(ClientConfig config, int session = 0, TimeProvider? time = null)
        : this(config, new ReplicaChannels(config.Replicas), ownsChannels: true, session, time) { }

    /// <summary>A client for session <paramref name="session"/> that sends over <paramref name="channels"/>, shared
    /// with the process's other sessions; the caller keeps ownership of them.</summary>
    /// <exception cref="KeyFileException">When a key file is missing or malformed.</exception>
    public CairnClient(ClientConfig config, ReplicaChannels channels, int session, TimeProvider? time = null)
        : this(config, channels, ownsChannels: false, session, time) { }

    private CairnClient(
        ClientConfig config,
        ReplicaChannels channels,
        bool ownsChannels,
        int session,
        TimeProvider? time
    )
    {
        if (channels.Count != config.Replicas.Count)
        {
            throw new ArgumentException(
                $"channels: {channels.Count} replicas, but {config.SourcePath} lists {config.Replicas.Count}",
                nameof(channels)
            );
        }

        _config = config;
        _time = time ?? TimeProvider.System;
        _replicas = channels;
        _ownsChannels = ownsChannels;
        ClientId = ClientIdentity.ClientId(config.KeyIndex, session);
        _key = KeyFiles.LoadSigningKey(config.PrivateKeyPath, config.Passphrase);
        _replicaKeys = config.LoadReplicaKeys();
    }

    /// <summary>This session's client id.</summary>
    public ulong ClientId { get; }

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>; returns once the cluster committed
    /// it.</summary>
    public async Task<KvResult> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken = default) =>
        DecodeResult(
            await SubmitAsync(KvOperation.Put(key, value).Encode(), RequestFlags.None, cancellationToken)
                .ConfigureAwait(false)
        );

    /// <summary>Reads <paramref name="key"/>, ordered after every write that completed before the call.</summary>
    public async Task<KvResult> GetAsync(byte[] key, CancellationToken cancellationToken = default) =>
        DecodeResult(
            await SubmitAsync(KvOperation.Get(key).Encode(), RequestFlags.ReadOnly, cancellationToken)
                .ConfigureAwait(false)
        );

    /// <summary>Orders <paramref name="operation"/> and returns the reply f+1 replicas agree on.</summary>
    /// <exception cref="ClusterUnavailableException">When no f+1 matching replies arrive within the request
    /// timeout.</exception>
    /// <exception cref="RequestRejectedException">When f+1 replicas refuse the request with a reason.</exception>
    public async Task<ClientReply> SubmitAsync(
        byte[] operation,
        RequestFlags flags,
        CancellationToken cancellationToken = default
    )
    {
        var request = ClientRequest.Create(ClientId, NextRequestId(), flags, operation, _key);
        var encoded = new SubmitRequest { Request = ByteString.CopyFrom(request.Encoded) };
        var collector = new ReplyCollector(_config.F, _replicaKeys, ClientId, request.RequestId);
        var outcomes = new string[_replicas.Count];
        var rejections = new string?[_replicas.Count];
        var accepted = new TaskCompletionSource<ClientReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_config.RequestTimeout);

        async Task AskAsync(int replica)
        {
            var backoff = TimeSpan.FromMilliseconds(50);
            while (!attempt.IsCancellationRequested)
            {
                try
                {
                    var reply = await _replicas[replica]
                        .SubmitAsync(encoded, cancellationToken: attempt.Token)
                        .ConfigureAwait(false);
                    var decoded = ClientReply.Decode(reply.Reply.Span);
                    lock (collector)
                    {
                        outcomes[replica] = "replied";
                        if (collector.Add(decoded))
                        {
                            accepted.TrySetResult(collector.Accepted!);
                        }
                    }

                    return;
                }
                catch (RpcException e)
                    when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
                {
                    // A request that is bad in itself (InvalidArgument) is refused by every correct replica: f+1 alike
                    // settle it. A replica's state (FailedPrecondition: wedged) can be behind the cluster's — it may
                    // not
                    // have executed an unwedge yet — so that refusal is final only from 2f+1; otherwise ask again.
                    var final = e.StatusCode == StatusCode.InvalidArgument;
                    lock (collector)
                    {
                        outcomes[replica] = $"refused: {e.Status.Detail}";
                        rejections[replica] = e.Status.Detail;
                        var same = rejections.Count(r => r == e.Status.Detail);
                        if (same >= (final ? Quorums.ReplyQuorum(_config.F) : Quorums.Quorum(_config.F)))
                        {
                            accepted.TrySetException(new RequestRejectedException(e.Status.Detail));
                        }
                    }

                    if (final)
                    {
                        return;
                    }
                }
                catch (RpcException e) when (!attempt.IsCancellationRequested)
                {
                    outcomes[replica] = $"{e.StatusCode}: {e.Status.Detail}";
                }
                catch (CanonicalEncodingException e)
                {
                    outcomes[replica] = $"sent a malformed reply ({e.Message})";
                    return;
                }
                catch (RpcException) when (attempt.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    await Task.Delay(backoff, _time, attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        var calls = Enumerable.Range(0, _replicas.Count).Select(AskAsync).ToArray();
        var finished = await Task.WhenAny(accepted.Task, Task.WhenAll(calls)).ConfigureAwait(false);
        if (finished != accepted.Task && !accepted.Task.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var detail = string.Join(
                "; ",
                outcomes.Select(
                    (o, i) => string.Create(CultureInfo.InvariantCulture, $"replica {i}: {o ?? "no answer"}")
                )
            );
            throw new ClusterUnavailableException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"no {Quorums.ReplyQuorum(_config.F)} matching replies within "
                        + $"{_config.RequestTimeout.TotalSeconds:0.#} s ({detail})"
                )
            );
        }

        // The result is in: stop asking the replicas that have not answered yet.
        await attempt.CancelAsync().ConfigureAwait(false);
        return await accepted.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_ownsChannels)
        {
            _replicas.Dispose();
        }

        _key.Dispose();
    }

    private static KvResult DecodeResult(ClientReply reply)
    {
        var result = KvResult.Decode(reply.Result.Span);
        return result.Status == KvResultStatus.Rejected
            ? throw new RequestRejectedException(result.Error ?? "rejected")
            : result;
    }

    /// <summary>Request ids grow across process restarts (they start from the clock), so a new CLI invocation never
    /// reuses an id a replica has already answered.</summary>
    private ulong NextRequestId()
    {
        var now = (ulong)(_time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
        _lastRequestId = Math.Max(_lastRequestId + 1, now);
        return _lastRequestId;
    }
}
