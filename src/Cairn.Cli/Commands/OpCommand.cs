using System.CommandLine;
using Cairn.Client;
using Cairn.Operator;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn op ...</c>: operator commands, signed with the operator's private key (Concord's
/// <c>concop</c>).</summary>
internal static class OpCommand
{
    public const string Description =
        "Operator commands, signed with the operator key: wedge, unwedge, DB checkpoints, checkpoint queries, "
        + "snapshot.";

    public static Command Create(IAnsiConsole console)
    {
        var op = new Command("op", Description);
        AddTo(op, console);
        return op;
    }

    /// <summary>Adds the operator commands to <paramref name="parent"/>: <c>cairn op</c>, or the operator tool's root
    /// (<c>cairn-op</c>).</summary>
    public static void AddTo(Command parent, IAnsiConsole console)
    {
        var wedge = new Command(
            "wedge",
            "Stop the cluster at a checkpoint boundary for maintenance, or see where it stopped."
        );
        wedge.Subcommands.Add(CreateWedgeStop(console));
        wedge.Subcommands.Add(CreateWedgeStatus(console));
        parent.Subcommands.Add(wedge);
        parent.Subcommands.Add(CreateUnwedge(console));
        parent.Subcommands.Add(DbCheckpointCommand.Create(console));
        parent.Subcommands.Add(CheckpointQueryCommand.Create(console));
        parent.Subcommands.Add(SnapshotCommand.Create(console));
    }

    private static Command CreateWedgeStop(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var noWait = new Option<bool>("--no-wait")
        {
            Description = "Return once the command is ordered, without waiting for replicas to stop.",
        };
        var timeout = CommonOptions.TimeoutSeconds("Seconds to wait for the replicas to reach the wedge point.", 120);
        var stop = new Command(
            "stop",
            "Replicas stop ordering at a checkpoint boundary and take a DB checkpoint there."
        )
        {
            noWait,
            timeout,
        };
        options.AddTo(stop);
        stop.SetAction(
            async (parse, cancellationToken) =>
            {
                var config = options.Load(parse);
                var result = await new OperatorClient(config).SubmitAsync(
                    OperatorCommandType.WedgeStop,
                    cancellationToken
                );
                if (!result.Accepted)
                {
                    throw new RequestRejectedException($"wedge stop refused: {result.Message}");
                }

                if (!parse.GetValue(options.Json))
                {
                    console.MarkupLineInterpolated($"wedge ordered: {result.Message}");
                }

                if (parse.GetValue(noWait))
                {
                    return 0;
                }

                var answers = await WaitForWedgeAsync(
                    config,
                    result.EffectiveAt.Value,
                    TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    cancellationToken
                );
                ShowWedgeStatus(console, answers, parse.GetValue(options.Json));
                var wedged = answers.Count(a => a.Status?.Wedged == true);
                return wedged >= (2 * config.F) + 1 ? 0 : 1;
            }
        );
        return stop;
    }

    private static Command CreateWedgeStatus(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var status = new Command("status", "Each replica: wedged or not, at which sequence number, in which epoch.");
        options.AddTo(status);
        status.SetAction(
            async (parse, cancellationToken) =>
            {
                var answers = await QueryWedgeAsync(options.Load(parse), cancellationToken);
                ShowWedgeStatus(console, answers, parse.GetValue(options.Json));
                return answers.Any(a => a.Status is not null) ? 0 : 1;
            }
        );
        return status;
    }

    private static Command CreateUnwedge(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var unwedge = new Command("unwedge", "Resume ordering after a wedge; starts a new epoch.");
        options.AddTo(unwedge);
        unwedge.SetAction(
            async (parse, cancellationToken) =>
            {
                var result = await new OperatorClient(options.Load(parse)).SubmitAsync(
                    OperatorCommandType.Unwedge,
                    cancellationToken
                );
                if (!result.Accepted)
                {
                    throw new RequestRejectedException($"unwedge refused: {result.Message}");
                }

                if (parse.GetValue(options.Json))
                {
                    CommonOptions.WriteJson(
                        console,
                        new AcceptedJson(true, result.Message),
                        CliJson.Default.AcceptedJson
                    );
                }
                else
                {
                    console.MarkupLineInterpolated($"[green]✓[/] {result.Message}");
                }

                return 0;
            }
        );
        return unwedge;
    }

    /// <summary>Asks every replica for its wedge status until all are wedged at <paramref name="point"/> or
    /// <paramref name="timeout"/> passes.</summary>
    internal static Task<IReadOnlyList<QueryAnswer<WedgeStatusAnswer>>> WaitForWedgeAsync(
        ClientConfig config,
        ulong point,
        TimeSpan timeout,
        CancellationToken cancellationToken
    ) =>
        new OperatorClient(config).QueryUntilAsync(
            OperatorCommandType.WedgeStatus,
            OperatorAnswerJson.Default.WedgeStatusAnswer,
            answers => answers.All(a => a.Status is { Wedged: true } s && s.WedgePoint == point),
            timeout,
            cancellationToken
        );

    internal static Task<IReadOnlyList<QueryAnswer<WedgeStatusAnswer>>> QueryWedgeAsync(
        ClientConfig config,
        CancellationToken cancellationToken
    ) =>
        new OperatorClient(config).QueryAsync(
            OperatorCommandType.WedgeStatus,
            OperatorAnswerJson.Default.WedgeStatusAnswer,
            config.RequestTimeout,
            cancellationToken
        );

    internal static void ShowWedgeStatus(
        IAnsiConsole console,
        IReadOnlyList<QueryAnswer<WedgeStatusAnswer>> answers,
        bool json
    )
    {
        if (json)
        {
            CommonOptions.WriteJson(
                console,
                new WedgeReportJson([
                    .. answers.Select(a => new WedgeRowJson(a.Replica, a.Status is not null, a.Refusal, a.Status)),
                ]),
                CliJson.Default.WedgeReportJson
            );
            return;
        }

        var table = new Table().AddColumns("replica", "wedged", "wedge point", "last executed", "epoch");
        foreach (var answer in answers)
        {
            if (answer.Status is { } s)
            {
                table.AddRow(
                    $"{answer.Replica}",
                    s.Wedged ? "[yellow]wedged[/]"
                        : s.WedgePoint is null ? "no"
                        : "[yellow]stopping[/]",
                    s.WedgePoint?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    $"{s.LastExecutedSeq}",
                    $"{s.Epoch}"
                );
            }
            else
            {
                table.AddRow(
                    $"{answer.Replica}",
                    answer.Refusal is null ? "[red]no answer[/]" : $"[red]refused: {Markup.Escape(answer.Refusal)}[/]",
                    "-",
                    "-",
                    "-"
                );
            }
        }

        console.Write(table);
    }

    /// <summary><c>--json</c> of a command the cluster accepted.</summary>
    internal sealed record AcceptedJson(bool Accepted, string Message);

    /// <summary><c>--json</c> of <c>op wedge status</c> and <c>op wedge stop</c>.</summary>
    internal sealed record WedgeReportJson(IReadOnlyList<WedgeRowJson> Replicas);

    internal sealed record WedgeRowJson(int Replica, bool Answered, string? Refusal, WedgeStatusAnswer? Status);
}
