using System.CommandLine;
using System.Globalization;
using Cairn.Client;
using Cairn.Operator;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn op dbCheckpoint create|status</c>: on-demand DB checkpoints and every replica's list of
/// them.</summary>
internal static class DbCheckpointCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command(
            "dbCheckpoint",
            "Take a DB checkpoint on every replica now, or list them side by side."
        );
        command.Subcommands.Add(CreateCreate(console));
        command.Subcommands.Add(CreateStatus(console));
        return command;
    }

    private static Command CreateCreate(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var noWait = new Option<bool>("--no-wait")
        {
            Description = "Return once the command is ordered, without waiting for the checkpoints.",
        };
        var timeout = CommonOptions.TimeoutSeconds(
            "Seconds to wait while no replica makes progress towards the checkpoint (reaches its boundary, takes, "
                + "finalises or lists it) before giving up.",
            120
        );
        var create = new Command(
            "create",
            "Every replica takes a DB checkpoint at the next checkpoint boundary; waits until 2f+1 report it."
        )
        {
            noWait,
            timeout,
        };
        options.AddTo(create);
        create.SetAction(
            async (parse, cancellationToken) =>
            {
                var config = options.Load(parse);
                var json = parse.GetValue(options.Json);
                // One set of connections for the query, the order and every poll: each TLS connection costs a
                // handshake and, in a fresh process, most of a second of CPU on a loaded host.
                await using var channels = new ReplicaChannels(config.Replicas);
                var client = new OperatorClient(config, channels: channels);
                var before = await client.QueryAsync(
                    OperatorCommandType.DbCheckpointStatus,
                    OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
                    config.RequestTimeout,
                    cancellationToken
                );
                ThrowIfDisabled(before);
                var result = await client.SubmitAsync(OperatorCommandType.DbCheckpointCreate, cancellationToken);
                // The order was the session connections' only request: end them now, alongside the polls, rather than
                // after the table, where the command would wait for every replica to close its connection.
                var closing = channels.CloseSessionsAsync(ReplicaChannels.ClosePatience);
                if (!result.Accepted)
                {
                    throw new RequestRejectedException($"dbCheckpoint create refused: {result.Message}");
                }

                if (!json)
                {
                    console.MarkupLineInterpolated($"ordered: {result.Message}");
                }

                if (parse.GetValue(noWait))
                {
                    return 0;
                }

                var target = result.EffectiveAt.Value;
                var answers = await client.QueryUntilAsync(
                    OperatorCommandType.DbCheckpointStatus,
                    OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
                    a => DbCheckpointQuorum.Reached(a, target, config.F),
                    TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    cancellationToken,
                    a => DbCheckpointQuorum.Progress(a, target)
                );
                await closing;
                Show(console, answers, json, onlySeq: target);
                if (!DbCheckpointQuorum.Reached(answers, target, config.F))
                {
                    var reporting = DbCheckpointQuorum.Reporting(answers, target);
                    throw new ClusterUnavailableException(
                        $"only {reporting} replicas reported a checkpoint at seq {target}, and none made progress "
                            + $"towards it for {parse.GetValue(timeout)} s"
                    );
                }

                return 0;
            }
        );
        return create;
    }

    private static Command CreateStatus(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var status = new Command(
            "status",
            "Every replica's DB checkpoints side by side; differing digests at one id are flagged."
        );
        options.AddTo(status);
        status.SetAction(
            async (parse, cancellationToken) =>
            {
                var answers = await QueryAsync(options.Load(parse), cancellationToken);
                ThrowIfDisabled(answers);
                Show(console, answers, parse.GetValue(options.Json), onlySeq: null);
                return answers.Any(a => a.Status is not null) ? 0 : 1;
            }
        );
        return status;
    }

    /// <summary>Queries every replica until each answer satisfies <paramref name="condition"/> or
    /// <paramref name="timeout"/> passes; returns the last answers either way.</summary>
    internal static Task<IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>>> WaitForAsync(
        ClientConfig config,
        Func<QueryAnswer<DbCheckpointStatusAnswer>, bool> condition,
        TimeSpan timeout,
        CancellationToken cancellationToken
    ) =>
        new OperatorClient(config).QueryUntilAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            answers =>
            {
                // Done when every replica that answers meets the condition and they are at least 2f+1: a replica
                // that is down (no answer) is not waited for; one that answers but lags is, until the timeout.
                var answering = answers.Where(a => a.Status is not null).ToList();
                return answering.All(condition) && answering.Count >= (2 * config.F) + 1;
            },
            timeout,
            cancellationToken
        );

    private static void ThrowIfDisabled(IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>> answers)
    {
        if (
            answers.Where(a => a.Status is not null).All(a => a.Status is { Enabled: false })
            && answers.Any(a => a.Status is not null)
        )
        {
            throw new RequestRejectedException(CheckpointQuery.FeatureDisabled);
        }
    }

    internal static Task<IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>>> QueryAsync(
        ClientConfig config,
        CancellationToken cancellationToken
    ) =>
        new OperatorClient(config).QueryAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            config.RequestTimeout,
            cancellationToken
        );

    internal static void Show(
        IAnsiConsole console,
        IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>> answers,
        bool json,
        ulong? onlySeq
    )
    {
        if (json)
        {
            CommonOptions.WriteJson(
                console,
                new DbCheckpointReportJson([
                    .. answers.Select(a => new DbCheckpointRowJson(
                        a.Replica,
                        a.Status is not null,
                        a.Refusal,
                        a.Status?.Checkpoints.Where(c => onlySeq is null || c.SeqNum == onlySeq).ToList(),
                        a.Status?.InFlight?.Where(c => onlySeq is null || c.SeqNum == onlySeq).ToList(),
                        a.Status?.LastSkipReason,
                        a.Status?.LastFailure,
                        a.Status?.LastDecidedSeq
                    )),
                ]),
                CliJson.Default.DbCheckpointReportJson
            );
            return;
        }

        // A checkpoint id whose digest differs between replicas means they did not hold the same state: flag it.
        var digestsById = answers
            .Where(a => a.Status is not null)
            .SelectMany(a => a.Status!.Checkpoints)
            .GroupBy(c => c.Id)
            .ToDictionary(g => g.Key, g => g.Select(c => c.StateDigest).Distinct().Count() > 1);
        var table = new Table().AddColumns(
            "replica",
            "id",
            "seq",
            "last block",
            "state digest",
            "created (consensus time)",
            "size",
            ""
        );
        foreach (var answer in answers)
        {
            if (answer.Status is null)
            {
                table.AddRow(
                    $"{answer.Replica}",
                    answer.Refusal is null ? "[red]no answer[/]" : $"[red]refused: {Markup.Escape(answer.Refusal)}[/]",
                    "",
                    "",
                    "",
                    "",
                    "",
                    ""
                );
                continue;
            }

            var rows = answer.Status.Checkpoints.Where(c => onlySeq is null || c.SeqNum == onlySeq).ToList();
            var inFlight = (answer.Status.InFlight ?? []).Where(c => onlySeq is null || c.SeqNum == onlySeq).ToList();
            if (rows.Count == 0 && inFlight.Count == 0)
            {
                table.AddRow(
                    $"{answer.Replica}",
                    "[grey]none[/]",
                    "",
                    "",
                    "",
                    "",
                    "",
                    answer.Status.LastSkipReason is { } skip ? $"[yellow]last skip: {skip}[/]" : ""
                );
            }

            foreach (var c in rows)
            {
                table.AddRow(
                    $"{answer.Replica}",
                    $"{c.Id}",
                    $"{c.SeqNum}",
                    $"{c.LastBlockId}",
                    c.StateDigest[..16] + "…",
                    c.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    CommonOptions.FormatBytes(c.SizeBytes),
                    digestsById[c.Id] ? "[red]DIGESTS DIFFER[/]" : "[green]same on all[/]"
                );
            }

            foreach (var c in inFlight)
            {
                table.AddRow($"{answer.Replica}", "", $"{c.SeqNum}", "", "", "", "", $"[grey]{c.State}[/]");
            }

            if (onlySeq is null && Missed(answer.Status) is { } missed)
            {
                table.AddRow($"{answer.Replica}", "", "", "", "", "", "", $"[yellow]{Markup.Escape(missed)}[/]");
            }
        }

        console.Write(table);
    }

    /// <summary>Every replica takes a checkpoint where the replicated state decided one; a replica whose newest is
    /// older missed it: say so, with the reason it recorded.</summary>
    private static string? Missed(DbCheckpointStatusAnswer status)
    {
        var newest = status.Checkpoints.Count == 0 ? 0 : status.Checkpoints[^1].SeqNum;
        if (!status.Enabled || status.LastDecidedSeq <= newest)
        {
            return null;
        }

        var why = status.LastFailure ?? (status.LastSkipReason is { } skip ? $"skipped: {skip}" : "not complete yet");
        return $"no checkpoint at seq {status.LastDecidedSeq}, where the others take one ({why})";
    }

    /// <summary><c>--json</c> of <c>op dbCheckpoint create</c> and <c>status</c>.</summary>
    internal sealed record DbCheckpointReportJson(IReadOnlyList<DbCheckpointRowJson> Replicas);

    internal sealed record DbCheckpointRowJson(
        int Replica,
        bool Answered,
        string? Refusal,
        IReadOnlyList<DbCheckpointRow>? Checkpoints,
        IReadOnlyList<DbCheckpointInFlightRow>? InFlight,
        string? LastSkipReason,
        string? LastFailure,
        ulong? LastDecidedSeq
    );
}
