using System.CommandLine;
using System.Globalization;
using Cairn.Client;
using Cairn.Operator;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn op snapshot</c>: the newest checkpoint the replicas agree on (id, seq, estimated key count), or
/// one created for the purpose when there is none.</summary>
internal static class SnapshotCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var timeout = CommonOptions.TimeoutSeconds(
            "Seconds to wait for a checkpoint created because there was none.",
            120
        );
        var snapshot = new Command(
            "snapshot",
            "The newest checkpoint f+1 replicas agree on; when there is none, every replica takes one at the next "
                + "stable seq."
        )
        {
            timeout,
        };
        options.AddTo(snapshot);
        snapshot.SetAction(
            async (parse, cancellationToken) =>
            {
                var config = options.Load(parse);
                var report = await new CheckpointQueryClient(config).SnapshotAsync(
                    TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    cancellationToken
                );
                Show(console, report, parse.GetValue(options.Json));
                if (report.Agreed is null)
                {
                    throw new RequestRejectedException(
                        $"no checkpoint is reported by {config.F + 1} replicas alike "
                            + $"({report.Rows.FirstOrDefault(r => r.Problem is not null)?.Problem
                                ?? "their newest checkpoints differ"})"
                    );
                }

                return 0;
            }
        );
        return snapshot;
    }

    private static void Show(IAnsiConsole console, SnapshotReport report, bool json)
    {
        if (json)
        {
            CommonOptions.WriteJson(
                console,
                new SnapshotReportJson(
                    report.CreatedAtSeq is not null,
                    report.CreatedAtSeq,
                    report.Agreed,
                    [
                        .. report.Rows.Select(r => new SnapshotRowJson(
                            r.Replica,
                            r.Problem is null,
                            r.Problem,
                            r.Differs,
                            r.Newest
                        )),
                    ]
                ),
                CliJson.Default.SnapshotReportJson
            );
            return;
        }

        var table = new Table().AddColumns(
            "replica",
            "newest checkpoint",
            "seq",
            "last block",
            "epoch",
            "state digest",
            "keys (est.)",
            ""
        );
        foreach (var row in report.Rows)
        {
            if (row.Newest is { } c)
            {
                table.AddRow(
                    $"{row.Replica}",
                    $"{c.Id}",
                    $"{c.SeqNum}",
                    $"{c.LastBlockId}",
                    $"{c.Epoch}",
                    c.StateDigest[..16] + "…",
                    c.EstimatedKeys.ToString("N0", CultureInfo.InvariantCulture),
                    row.Differs ? "[red]DIGEST DIFFERS[/]" : ""
                );
            }
            else
            {
                table.AddRow(
                    $"{row.Replica}",
                    row.HasNone ? "[grey]none[/]" : $"[red]{Markup.Escape(row.Problem!)}[/]",
                    "",
                    "",
                    "",
                    "",
                    "",
                    ""
                );
            }
        }

        console.Write(table);
        if (report.CreatedAtSeq is { } seq)
        {
            console.MarkupLineInterpolated($"there was no checkpoint: one was ordered and taken at seq {seq}");
        }

        if (report.Agreed is { } agreed)
        {
            var keys = agreed.EstimatedKeys.ToString("N0", CultureInfo.InvariantCulture);
            console.MarkupLineInterpolated(
                $"[green]✓[/] snapshot: checkpoint {agreed.Id} at seq {agreed.SeqNum}, about {keys} keys"
            );
        }
    }

    /// <summary><c>--json</c> of <c>op snapshot</c>.</summary>
    internal sealed record SnapshotReportJson(
        bool Created,
        ulong? CreatedAtSeq,
        SnapshotCheckpoint? Snapshot,
        IReadOnlyList<SnapshotRowJson> Replicas
    );

    internal sealed record SnapshotRowJson(
        int Replica,
        bool Answered,
        string? Problem,
        bool Differs,
        SnapshotCheckpoint? Newest
    );
}
