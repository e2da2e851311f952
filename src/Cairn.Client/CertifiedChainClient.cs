using Cairn.Core;
using Cairn.Operator;

namespace Cairn.Client;

/// <summary>
/// Fetches, over the signed operator query path, a stable checkpoint certificate at or above a sequence number and the
/// blocks that lead to the block it certifies (<c>cairn backup</c>). Every replica is asked; the first answer that
/// passes the caller's check is taken, so one faulty replica cannot stop it. Replicas not there yet are asked to
/// reach the next checkpoint boundary (the primary fills an idle window); the wait lasts as long as the cluster makes
/// progress towards it.
/// </summary>
public sealed class CertifiedChainClient(ClientConfig config, TimeProvider? time = null)
{
    private readonly OperatorClient _operator = new(config, time);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The certificate and the blocks from <paramref name="from"/> to the one it certifies, in
    /// order.</summary>
    /// <param name="check">Given a certificate, every block so far (this answer's included) and whether they end at
    /// the certified block: what is wrong with them, or null.</param>
    /// <param name="stall">How long the replicas may make no progress (no higher executed sequence number, no new
    /// block fetched) before the fetch gives up.</param>
    /// <exception cref="ClusterUnavailableException">When no replica answered acceptably and the cluster made no
    /// progress for <paramref name="stall"/>; the message says what each replica answered.</exception>
    public async Task<(byte[] Certificate, IReadOnlyList<byte[]> Blocks)> FetchAsync(
        BlockId from,
        SeqNum atLeast,
        Func<byte[], IReadOnlyList<byte[]>, bool, string?> check,
        TimeSpan stall,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(check);
        var blocks = new List<byte[]>();
        ulong executed = 0;
        var progressAt = _time.GetUtcNow();
        while (true)
        {
            var command = _operator.SignQuery(
                OperatorCommandType.CertifiedChain,
                new CertifiedChainQuery(new BlockId(from.Value + (ulong)blocks.Count), atLeast).Encode()
            );
            var answers = await _operator
                .QueryAsync(
                    command,
                    OperatorAnswerJson.Default.CertifiedChainAnswer,
                    config.RequestTimeout,
                    cancellationToken
                )
                .ConfigureAwait(false);
            var seen = new List<string>();
            foreach (var answer in answers)
            {
                if (answer.Status is not { } status)
                {
                    seen.Add($"replica {answer.Replica}: {answer.Refusal ?? "no answer"}");
                    continue;
                }

                if (status.LastExecuted > executed)
                {
                    (executed, progressAt) = (status.LastExecuted, _time.GetUtcNow());
                }

                if (status.Certificate is null)
                {
                    seen.Add(
                        $"replica {answer.Replica}: stable at seq {status.LastStable}, executed {status.LastExecuted}"
                    );
                    continue;
                }

                byte[] certificate;
                List<byte[]> all;
                try
                {
                    certificate = Convert.FromBase64String(status.Certificate);
                    all = [.. blocks, .. status.Blocks.Select(Convert.FromBase64String)];
                }
                catch (FormatException e)
                {
                    seen.Add($"replica {answer.Replica}: rejected ({e.Message})");
                    continue;
                }

                if (check(certificate, all, status.Complete) is { } problem)
                {
                    seen.Add($"replica {answer.Replica}: rejected ({problem})");
                    continue;
                }

                if (status.Complete)
                {
                    return (certificate, all);
                }

                if (all.Count > blocks.Count)
                {
                    (blocks, progressAt) = (all, _time.GetUtcNow());
                    break;
                }
            }

            if (_time.GetUtcNow() - progressAt > stall)
            {
                throw new ClusterUnavailableException(
                    $"no stable checkpoint at or above seq {atLeast} with the blocks leading to it after "
                        + $"{stall.TotalSeconds:0} s without progress: {string.Join("; ", seen)}"
                );
            }

            if (seen.Count == answers.Count)
            {
                await Task.Delay(OperatorClient.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
