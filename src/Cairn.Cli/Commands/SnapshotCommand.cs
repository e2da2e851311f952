using System.CommandLine;
using System.Globalization;
using Cairn.Client;
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
                new
                {
                    created = report.CreatedAtSeq is not null,
                    createdAtSeq = report.CreatedAtSeq,
                    snapshot = report.Agreed,
                    replicas = report.Rows.Select(r => new
                    {
                        replica = r.Replica,
                        answered = r.Problem is null,
                        problem = r.Problem,
                        differs = r.Differs,
                        newest = r.Newest,
                    }),
                }
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
}
