using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;
using Cairn.Operator;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client;

/// <summary>
/// Sends operator commands, signed with the operator's private key: write commands are ordered through consensus
/// (the answer is what f+1 replicas agree on), queries go to every replica directly and come back one answer each.
/// </summary>
/// <param name="channels">Connections to the replicas that every call of this client uses, owned by the caller: a
/// command that orders something and then waits for it pays for the TLS connections once. Without them each call
/// opens its own (and <see cref="QueryUntilAsync"/> one set for all its polls).</param>
public sealed class OperatorClient(ClientConfig config, TimeProvider? time = null, ReplicaChannels? channels = null)
{
    /// <summary>How often <see cref="QueryUntilAsync"/> asks again: each poll is one call per replica on a warm
    /// connection, so a short interval costs little and keeps what the operator waits for close to when it
    /// happened.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The chain the commands are for and the answers must be signed for.</summary>
    private string ChainId =>
        config.ChainId
        ?? throw new ConfigException(
            config.SourcePath,
            "chain_id",
            null,
            "an operator config must name the cluster's chain_id (copy it from a replica's deployment.config)"
        );

    /// <summary>Orders <paramref name="type"/> (a write command) and returns the result f+1 replicas agree
    /// on.</summary>
    /// <exception cref="ClusterUnavailableException">When no f+1 matching replies arrive in time.</exception>
    /// <exception cref="KeyFileException">When the operator key cannot be read.</exception>
    public async Task<OperatorResult> SubmitAsync(OperatorCommandType type, CancellationToken cancellationToken)
    {
        using var key = KeyFiles.LoadSigningKey(config.PrivateKeyPath, config.Passphrase);
        var command = OperatorCommand.Create(type, ChainId, [], _time.GetUtcNow(), key);
        var session = Random.Shared.Next(1, ClientIdentity.SessionsPerKey);
        using var client = channels is null
            ? new CairnClient(config, session, _time)
            : new CairnClient(config, channels, session, _time);
        var reply = await client
            .SubmitAsync(command.Encode(), RequestFlags.Operator, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            return OperatorResult.Decode(reply.Result.Span);
        }
        catch (CanonicalEncodingException e)
        {
            throw new RequestRejectedException($"the replicas' answer is not an operator result ({e.Message})");
        }
    }

    /// <summary>Asks every replica <paramref name="type"/> (a query with an empty body); replicas that do not answer
    /// within <paramref name="timeout"/> are reported as such.</summary>
    public Task<IReadOnlyList<ReplicaAnswer>> QueryAsync(
        OperatorCommandType type,
        TimeSpan timeout,
        CancellationToken cancellationToken
    ) => QueryAsync(SignQuery(type, []), timeout, cancellationToken);

    /// <summary>Asks every replica <paramref name="type"/> (a query with an empty body) and parses each JSON answer
    /// with <paramref name="answer"/>, the type info the replica wrote it with (<see cref="OperatorAnswerJson"/>); an
    /// answer that does not parse is a refusal.</summary>
    public async Task<IReadOnlyList<QueryAnswer<T>>> QueryAsync<T>(
        OperatorCommandType type,
        JsonTypeInfo<T> answer,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
        where T : class =>
        [
            .. (
                await QueryAsync(SignQuery(type, []), timeout, channels, cancellationToken).ConfigureAwait(false)
            ).Select(a => Parse(a, answer)),
        ];

    /// <summary>Sends the signed query <paramref name="command"/> to every replica and parses each JSON answer with
    /// <paramref name="answer"/>; an answer that does not parse is a refusal.</summary>
    public async Task<IReadOnlyList<QueryAnswer<T>>> QueryAsync<T>(
        OperatorCommand command,
        JsonTypeInfo<T> answer,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
        where T : class =>
        [
            .. (await QueryAsync(command, timeout, cancellationToken).ConfigureAwait(false)).Select(a =>
                Parse(a, answer)
            ),
        ];

    /// <summary>Asks every replica <paramref name="type"/> again and again until <paramref name="done"/> holds for the
    /// answers or <paramref name="timeout"/> passes; returns the last answers either way. Each replica is asked again
    /// <see cref="PollInterval"/> after it answered, not after the slowest did, and <paramref name="done"/> is tested
    /// on every answer (with each other replica's last one, once all have answered or timed out): the wait ends on the
    /// answer that completes it, not on the round that holds it.</summary>
    /// <param name="progress">When given, how much of the work waited for the answers show done, a measure that only
    /// grows: <paramref name="timeout"/> then counts from the last answers that raised it, so a wait gives up on work
    /// that stalled, never on work that takes longer than expected (a replica that stops answering, or answers again,
    /// raises nothing).</param>
    public async Task<IReadOnlyList<QueryAnswer<T>>> QueryUntilAsync<T>(
        OperatorCommandType type,
        JsonTypeInfo<T> answer,
        Func<IReadOnlyList<QueryAnswer<T>>, bool> done,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<IReadOnlyList<QueryAnswer<T>>, long>? progress = null
    )
        where T : class
    {
        ArgumentNullException.ThrowIfNull(done);
        var deadline = _time.GetUtcNow() + timeout;
        var mostProgress = long.MinValue;
        using var own = channels is null ? new ReplicaChannels(config.Replicas) : null;
        var replicas = channels ?? own!;
        // Read once for every poll: an encrypted operator key costs a key derivation each time it is read.
        using var key = KeyFiles.LoadSigningKey(config.PrivateKeyPath, config.Passphrase);
        var replicaKeys = config.LoadReplicaKeys();
        var latest = new QueryAnswer<T>?[config.Replicas.Count];
        // At most one answer per replica waits here: each poller hands over its answer before it asks again.
        var answers = Channel.CreateBounded<(int Index, QueryAnswer<T> Answer)>(config.Replicas.Count);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pollers = Enumerable
            .Range(0, latest.Length)
            .Select(index => PollAsync(type, answer, index, replicas, key, replicaKeys, answers.Writer, stop.Token))
            .ToList();
        try
        {
            while (true)
            {
                var (index, next) = await answers.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                latest[index] = next;
                if (latest.Any(a => a is null))
                {
                    continue;
                }

                IReadOnlyList<QueryAnswer<T>> current = [.. latest!];
                if (progress?.Invoke(current) is { } measure && measure > mostProgress)
                {
                    mostProgress = measure;
                    deadline = _time.GetUtcNow() + timeout;
                }

                if (done(current) || _time.GetUtcNow() > deadline)
                {
                    return current;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pollers).ConfigureAwait(false);
        }
    }

    /// <summary>One replica's side of <see cref="QueryUntilAsync"/>: asks it, hands the answer over, waits
    /// <see cref="PollInterval"/>, and again, until <paramref name="stop"/> fires.</summary>
    private async Task PollAsync<T>(
        OperatorCommandType type,
        JsonTypeInfo<T> answer,
        int index,
        ReplicaChannels replicas,
        SigningKey key,
        IReadOnlyList<VerificationKey> replicaKeys,
        ChannelWriter<(int, QueryAnswer<T>)> answers,
        CancellationToken stop
    )
        where T : class
    {
        try
        {
            while (true)
            {
                var reply = await QueryOneAsync(
                        Sign(type, [], key),
                        index,
                        config.RequestTimeout,
                        replicas,
                        replicaKeys,
                        stop
                    )
                    .ConfigureAwait(false);
                await answers.WriteAsync((index, Parse(reply, answer)), stop).ConfigureAwait(false);
                await Task.Delay(PollInterval, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The wait is over (done, timed out or cancelled): nothing more to ask.
        }
        catch (Exception e)
        {
            // Ends the wait with the error instead of leaving it waiting for this replica.
            answers.TryComplete(e);
            throw;
        }
    }

    /// <summary>Signs query <paramref name="type"/> with <paramref name="body"/> with the operator key (a fresh
    /// nonce).</summary>
    /// <exception cref="KeyFileException">When the operator key cannot be read.</exception>
    public OperatorCommand SignQuery(OperatorCommandType type, ReadOnlySpan<byte> body)
    {
        using var key = KeyFiles.LoadSigningKey(config.PrivateKeyPath, config.Passphrase);
        return Sign(type, body, key);
    }

    private OperatorCommand Sign(OperatorCommandType type, ReadOnlySpan<byte> body, SigningKey key) =>
        OperatorCommand.Create(type, ChainId, body, _time.GetUtcNow(), key);

    /// <summary>Sends the signed query <paramref name="command"/> to every replica; replicas that do not answer within
    /// <paramref name="timeout"/> are reported as such.</summary>
    public Task<IReadOnlyList<ReplicaAnswer>> QueryAsync(
        OperatorCommand command,
        TimeSpan timeout,
        CancellationToken cancellationToken
    ) => QueryAsync(command, timeout, channels, cancellationToken);

    private async Task<IReadOnlyList<ReplicaAnswer>> QueryAsync(
        OperatorCommand command,
        TimeSpan timeout,
        ReplicaChannels? open,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(command);
        // Channels of its own accept the largest answer a query may give (a page of certified blocks).
        using var own = open is null ? new ReplicaChannels(config.Replicas, CertifiedChainQuery.MaxAnswerBytes) : null;
        var replicas = open ?? own!;
        var keys = config.LoadReplicaKeys();
        return await Task.WhenAll(
                config.Replicas.Select(
                    (_, index) => QueryOneAsync(command, index, timeout, replicas, keys, cancellationToken)
                )
            )
            .ConfigureAwait(false);
    }

    /// <summary>Sends the signed query <paramref name="command"/> to replica number <paramref name="index"/>: its
    /// signed answer, its refusal, or no answer within <paramref name="timeout"/>.</summary>
    private async Task<ReplicaAnswer> QueryOneAsync(
        OperatorCommand command,
        int index,
        TimeSpan timeout,
        ReplicaChannels replicas,
        IReadOnlyList<VerificationKey> keys,
        CancellationToken cancellationToken
    )
    {
        var replica = config.Replicas[index];
        var request = new OperatorQueryRequest { Command = ByteString.CopyFrom(command.Encode()) };
        try
        {
            var reply = await replicas
                .Admin(index)
                .OperatorQueryAsync(
                    request,
                    deadline: DateTime.UtcNow.Add(timeout),
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
            if (reply.Json.Length > 0 && !SignedBy(reply, command, replica.Id, keys[index]))
            {
                return new ReplicaAnswer(
                    replica.Id.Value,
                    null,
                    $"rejected: the answer is not signed by replica {replica.Id.Value} for chain {ChainId}"
                );
            }

            return reply.Refusal.Length > 0
                ? new ReplicaAnswer(replica.Id.Value, null, reply.Refusal)
                : new ReplicaAnswer(
                    replica.Id.Value,
                    reply.Json.Length > 0 ? reply.Json : null,
                    null,
                    reply.Statement.IsEmpty ? null : reply.Statement.ToByteArray()
                );
        }
        catch (RpcException)
        {
            return new ReplicaAnswer(replica.Id.Value, null, null);
        }
    }

    private bool SignedBy(OperatorQueryReply reply, OperatorCommand command, ReplicaId replica, VerificationKey key) =>
        reply.Signature.Length == Signature.Size
        && OperatorAnswerSignature.Verify(
            ChainId,
            replica,
            command.Nonce,
            reply.Json,
            Signature.FromBytes(reply.Signature.Span),
            key
        );

    private static QueryAnswer<T> Parse<T>(ReplicaAnswer answer, JsonTypeInfo<T> info)
        where T : class
    {
        if (answer.Json is null)
        {
            return new QueryAnswer<T>(answer.Replica, null, answer.Refusal);
        }

        try
        {
            return JsonSerializer.Deserialize(answer.Json, info) is { } parsed
                ? new QueryAnswer<T>(answer.Replica, parsed, null)
                : new QueryAnswer<T>(answer.Replica, null, $"rejected: the answer is not a {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            return new QueryAnswer<T>(
                answer.Replica,
                null,
                $"rejected: the answer is not a {typeof(T).Name} ({e.Message})"
            );
        }
    }
}
