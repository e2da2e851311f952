using System.Globalization;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Protocol.Kv;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client;

/// <summary>
/// Talks to a Cairn cluster as one client session: signs each request, sends it to every replica (so a faulty or
/// changing primary cannot stall it), and returns the answer once f+1 replicas signed the same reply. Replicas that
/// fail are retried with backoff, and the request is retransmitted to all replicas after each
/// <see cref="ClientConfig.RetransmitTimeout"/>, until <see cref="ClientConfig.RequestTimeout"/>. One request at a
/// time per client; use several clients (sessions) for concurrency, sharing one <see cref="ReplicaChannels"/>.
/// </summary>
public sealed class CairnClient : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private readonly ClientConfig _config;
    private readonly SigningKey _key;
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

    /// <summary>Orders <paramref name="operation"/> and returns the reply f+1 replicas agree on (2f+1 for a read:
    /// see <see cref="ReplyCollector"/>). The request goes to
    /// every replica; when f+1 matching replies have not arrived within <see cref="ClientConfig.RetransmitTimeout"/>,
    /// it goes to every replica that has not answered again (PBFT's client retransmission: the old calls stay open, a
    /// replica answers them all), until <see cref="ClientConfig.RequestTimeout"/>.</summary>
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
        var collector = new ReplyCollector(
            _config.F,
            _replicas.Count,
            ClientId,
            request.RequestId,
            readOnly: flags.HasFlag(RequestFlags.ReadOnly)
        );
        var outcomes = new string[_replicas.Count];
        var rejections = new string?[_replicas.Count];
        var settled = new bool[_replicas.Count];
        var waiting = new int[_replicas.Count]; // calls to each replica awaiting its answer
        var accepted = new TaskCompletionSource<ClientReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Not disposed here: calls still open when the answer is in are left to finish (cancelling them costs an
        // exception on both ends); the last of them disposes it.
        var deadline = new CancellationTokenSource(_config.RequestTimeout, _time);
        var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var transmissions = new List<Task>();

        // One transmission to one replica: retried with backoff after errors until the attempt ends, when the next
        // attempt transmits again.
        async Task AskAsync(int replica, long attemptEnds)
        {
            var backoff = InitialBackoff;
            while (!accepted.Task.IsCompleted && !giveUp.IsCancellationRequested)
            {
                try
                {
                    ByteString reply;
                    Interlocked.Increment(ref waiting[replica]);
                    try
                    {
                        reply = await _replicas[replica].SubmitAsync(request, _key, giveUp.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref waiting[replica]);
                    }

                    var decoded = ClientReply.Decode(reply.Span);
                    lock (collector)
                    {
                        outcomes[replica] = "replied";
                        settled[replica] = true;
                        if (!accepted.Task.IsCompleted && collector.Add(replica, decoded))
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
                    // settle it. A replica's state (FailedPrecondition: wedged) can be behind the cluster's (it may not
                    // have executed an unwedge yet), so that refusal is final only from 2f+1, and only while no other
                    // replica holds the request: one that took it (already unwedged) may order it, and its reply then
                    // comes; otherwise ask again.
                    var final = e.StatusCode == StatusCode.InvalidArgument;
                    lock (collector)
                    {
                        outcomes[replica] = $"refused: {e.Status.Detail}";
                        rejections[replica] = e.Status.Detail;
                        settled[replica] |= final;
                        var same = rejections.Count(r => r == e.Status.Detail);
                        if (
                            final
                                ? same >= Quorums.ReplyQuorum(_config.F)
                                : same >= Quorums.Quorum(_config.F) && waiting.All(w => w == 0)
                        )
                        {
                            accepted.TrySetException(new RequestRejectedException(e.Status.Detail));
                        }
                    }

                    if (final)
                    {
                        return;
                    }
                }
                catch (RpcException) when (giveUp.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException e)
                {
                    outcomes[replica] = $"{e.StatusCode}: {e.Status.Detail}";
                }
                catch (CanonicalEncodingException e)
                {
                    outcomes[replica] = $"sent a malformed reply ({e.Message})";
                    settled[replica] = true;
                    return;
                }

                if (_time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency) >= attemptEnds)
                {
                    return;
                }

                try
                {
                    await Task.Delay(backoff, _time, giveUp.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        try
        {
            while (true)
            {
                var attemptEnds =
                    _time.GetTimestamp() + (long)(_config.RetransmitTimeout.TotalSeconds * _time.TimestampFrequency);
                lock (collector)
                {
                    var unanswered = Enumerable.Range(0, _replicas.Count).Where(r => !settled[r]);
                    transmissions.AddRange(unanswered.Select(r => AskAsync(r, attemptEnds)));
                }

                try
                {
                    await accepted.Task.WaitAsync(_config.RetransmitTimeout, _time, giveUp.Token).ConfigureAwait(false);
                    break;
                }
                catch (TimeoutException)
                {
                    // No quorum within this attempt: transmit again, unless every replica has given its last word.
                    lock (collector)
                    {
                        if (settled.All(s => s))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
                {
                    break;
                }
            }

            // Every outcome is decided under the collector's lock: a quorum that completes while the attempt loop
            // gives up is still the answer, not an unavailable cluster.
            lock (collector)
            {
                if (!accepted.Task.IsCompleted)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        accepted.TrySetCanceled(cancellationToken);
                    }
                    else
                    {
                        var detail = string.Join(
                            "; ",
                            outcomes.Select(
                                (o, i) =>
                                    string.Create(CultureInfo.InvariantCulture, $"replica {i}: {o ?? "no answer"}")
                            )
                        );
                        accepted.TrySetException(
                            new ClusterUnavailableException(
                                string.Create(
                                    CultureInfo.InvariantCulture,
                                    $"no {Quorums.ReplyQuorum(_config.F)} matching replies within "
                                        + $"{_config.RequestTimeout.TotalSeconds:0.#} s ({detail})"
                                )
                            )
                        );
                    }
                }
            }

            return await accepted.Task.ConfigureAwait(false);
        }
        finally
        {
            _ = Task.WhenAll(transmissions)
                .ContinueWith(
                    _ =>
                    {
                        giveUp.Dispose();
                        deadline.Dispose();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default
                );
        }
    }

    public void Dispose()
    {
        if (_ownsChannels)
        {
            _replicas.Dispose();
        }

        _key.Dispose();
    }

    /// <summary>As <see cref="Dispose"/>, but connections of its own end their session connections first
    /// (<see cref="ReplicaChannels.DisposeAsync"/>): a process that is done lets the replicas close them rather than
    /// reset them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsChannels)
        {
            await _replicas.DisposeAsync().ConfigureAwait(false);
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
