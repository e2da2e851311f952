using System.CommandLine;
using System.Globalization;
using System.Text;
using Cairn.Client;
using Cairn.Core;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn op checkpoint hash|read --id ID</c>: checkpoint queries answered by every replica from its own
/// checkpoint, side by side, with what f+1 of them agree on.</summary>
internal static class CheckpointQueryCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command(
            "checkpoint",
            "Query one checkpoint on every replica: its signed state digest, or values as of it."
        );
        command.Subcommands.Add(CreateHash(console));
        command.Subcommands.Add(CreateRead(console));
        return command;
    }

    /// <summary>The <c>--id</c> option, checked so that a negative or non-numeric id is refused with what is
    /// accepted.</summary>
    private static Option<string> IdOption(Command command)
    {
        var id = new Option<string>("--id")
        {
            Description = "The checkpoint id (its last block id, as 'dbCheckpoint status' lists it).",
            Required = true,
        };
        command.Options.Add(id);
        command.Validators.Add(result =>
        {
            if (
                result.GetValue(id) is { } text
                && !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            )
            {
                result.AddError(
                    $"--id '{text}' is not a checkpoint id: give a whole number from 0 to {ulong.MaxValue} (e.g. 300)"
                );
            }
        });
        return id;
    }

    private static BlockId ParseId(ParseResult parse, Option<string> id) =>
        new(ulong.Parse(parse.GetRequiredValue(id), NumberStyles.None, CultureInfo.InvariantCulture));

    private static Command CreateHash(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var hash = new Command(
            "hash",
            "Every replica's state digest of a checkpoint, signed with its own key; the signatures are checked and a "
                + "differing digest is flagged."
        );
        var id = IdOption(hash);
        options.AddTo(hash);
        hash.SetAction(
            async (parse, cancellationToken) =>
            {
                var config = options.Load(parse);
                var report = await new CheckpointQueryClient(config).HashAsync(ParseId(parse, id), cancellationToken);
                ShowHash(console, report, parse.GetValue(options.Json));
                if (!report.Consistent)
                {
                    var verified = report.Rows.Count(r => r.Verified);
                    throw new RequestRejectedException(
                        report.Rows.Any(r => r.Differs)
                            ? $"checkpoint {report.CheckpointId}: replicas "
                                + $"{string.Join(", ", report.Rows.Where(r => r.Differs).Select(r => r.Replica))} sign "
                                + $"a different state"
                            : $"checkpoint {report.CheckpointId}: {verified} verified statements, {config.F + 1} "
                                + $"needed ({FirstProblem(report.Rows.Select(r => (r.Replica, r.Problem)))})"
                    );
                }

                return 0;
            }
        );
        return hash;
    }

    private static Command CreateRead(IAnsiConsole console)
    {
        var options = new OperatorOptions();
        var keys = new Argument<string[]>("keys")
        {
            Description = "The keys (UTF-8 text).",
            Arity = ArgumentArity.OneOrMore,
        };
        var read = new Command(
            "read",
            "Values of keys as of a checkpoint, read by every replica from the checkpoint itself; f+1 must agree."
        )
        {
            keys,
        };
        // A mistyped option would otherwise be read as one more key.
        read.Validators.Add(result =>
        {
            foreach (var key in result.GetValue(keys)?.Where(k => k.StartsWith("--", StringComparison.Ordinal)) ?? [])
            {
                result.AddError($"unknown option '{key}' (keys cannot start with '--')");
            }
        });
        var id = IdOption(read);
        options.AddTo(read);
        read.SetAction(
            async (parse, cancellationToken) =>
            {
                var config = options.Load(parse);
                var keyBytes = parse.GetRequiredValue(keys).Select(k => Encoding.UTF8.GetBytes(k)).ToList();
                var report = await new CheckpointQueryClient(config).ReadAsync(
                    ParseId(parse, id),
                    keyBytes,
                    cancellationToken
                );
                ShowRead(console, report, parse.GetValue(options.Json));
                if (!report.Consistent)
                {
                    var answered = report.Replicas.Count(r => r.Values is not null);
                    throw new RequestRejectedException(
                        report.Keys.Any(k => k.Dissenters.Count > 0)
                            ? $"checkpoint {report.CheckpointId}: replicas disagree on "
                                + string.Join(
                                    ", ",
                                    report.Keys.Where(k => k.Dissenters.Count > 0).Select(k => Text(k.Key))
                                )
                            : $"checkpoint {report.CheckpointId}: {answered} replicas answered, {config.F + 1} must "
                                + $"agree ({FirstProblem(report.Replicas.Select(r => (r.Replica, r.Problem)))})"
                    );
                }

                return 0;
            }
        );
        return read;
    }

    private static string FirstProblem(IEnumerable<(int Replica, string? Problem)> problems) =>
        problems.FirstOrDefault(p => p.Problem is not null) is { Problem: { } problem } first
            ? $"replica {first.Replica}: {problem}"
            : "no answers";

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static void ShowHash(IAnsiConsole console, CheckpointHashReport report, bool json)
    {
        if (json)
        {
            CommonOptions.WriteJson(
                console,
                new HashReportJson(
                    report.CheckpointId.Value,
                    report.AgreedDigest?.ToHex(),
                    report.Consistent,
                    [
                        .. report.Rows.Select(r => new HashRowJson(
                            r.Replica,
                            r.Verified,
                            r.Differs,
                            r.Problem,
                            r.Statement?.SeqNum.Value,
                            r.Statement?.LastBlockId.Value,
                            r.Statement?.StateDigest.ToHex(),
                            r.Statement?.Epoch,
                            r.Statement?.Signature.ToHex()
                        )),
                    ]
                ),
                CliJson.Default.HashReportJson
            );
            return;
        }

        var table = new Table().AddColumns(
            "replica",
            "checkpoint",
            "seq",
            "last block",
            "epoch",
            "state digest",
            "signature",
            ""
        );
        foreach (var row in report.Rows)
        {
            if (row.Statement is { } s)
            {
                table.AddRow(
                    $"{row.Replica}",
                    $"{s.CheckpointId}",
                    $"{s.SeqNum}",
                    $"{s.LastBlockId}",
                    $"{s.Epoch}",
                    s.StateDigest.ToHex()[..16] + "…",
                    "[green]valid[/]",
                    row.Differs ? "[red]DIGEST DIFFERS[/]"
                        : report.AgreedDigest is null ? "[yellow]not confirmed by f+1[/]"
                        : "[green]agrees[/]"
                );
            }
            else
            {
                table.AddRow(
                    $"{row.Replica}",
                    $"{report.CheckpointId}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    $"[red]{Markup.Escape(row.Problem ?? "")}[/]"
                );
            }
        }

        console.Write(table);
        if (report.AgreedDigest is { } digest)
        {
            var signers = report.Rows.Count(r => r.Statement?.StateDigest == digest);
            console.MarkupLineInterpolated(
                $"checkpoint {report.CheckpointId}: state digest {digest.ToHex()}, signed by {signers} replicas"
            );
        }
    }

    private static void ShowRead(IAnsiConsole console, CheckpointReadReport report, bool json)
    {
        if (json)
        {
            CommonOptions.WriteJson(
                console,
                new ReadReportJson(
                    report.CheckpointId.Value,
                    report.Consistent,
                    [
                        .. report.Keys.Select(k => new KeyJson(
                            Text(k.Key),
                            k.Agreed,
                            k.Value is not null,
                            k.Value is null ? null : Text(k.Value),
                            k.Dissenters
                        )),
                    ],
                    [
                        .. report.Replicas.Select(r => new ReadRowJson(
                            r.Replica,
                            r.Values is not null,
                            r.SeqNum,
                            r.Problem,
                            r.Values?.Select(v => v is null ? null : Text(v)).ToList()
                        )),
                    ]
                ),
                CliJson.Default.ReadReportJson
            );
            return;
        }

        var table = new Table().AddColumns("key", $"value as of checkpoint {report.CheckpointId}", "");
        foreach (var key in report.Keys)
        {
            var value =
                !key.Agreed ? "[red]?[/]"
                : key.Value is null ? "[grey](absent)[/]"
                : Markup.Escape(Text(key.Value));
            var note =
                key.Dissenters.Count > 0 ? $"[red]DISAGREE: replica(s) {string.Join(", ", key.Dissenters)} differ[/]"
                : key.Agreed ? "[green]f+1 agree[/]"
                : "[yellow]not confirmed by f+1[/]";
            table.AddRow(Markup.Escape(Text(key.Key)), value, note);
        }

        console.Write(table);
        foreach (var replica in report.Replicas.Where(r => r.Problem is not null))
        {
            console.MarkupLineInterpolated($"[red]replica {replica.Replica}: {replica.Problem}[/]");
        }
    }

    /// <summary><c>--json</c> of <c>op checkpoint hash</c>.</summary>
    internal sealed record HashReportJson(
        ulong CheckpointId,
        string? AgreedDigest,
        bool Consistent,
        IReadOnlyList<HashRowJson> Replicas
    );

    internal sealed record HashRowJson(
        int Replica,
        bool Verified,
        bool Differs,
        string? Problem,
        ulong? SeqNum,
        ulong? LastBlockId,
        string? StateDigest,
        ulong? Epoch,
        string? Signature
    );

    /// <summary><c>--json</c> of <c>op checkpoint read</c>.</summary>
    internal sealed record ReadReportJson(
        ulong CheckpointId,
        bool Consistent,
        IReadOnlyList<KeyJson> Keys,
        IReadOnlyList<ReadRowJson> Replicas
    );

    internal sealed record KeyJson(string Key, bool Agreed, bool Found, string? Value, IReadOnlyList<int> Dissenters);

    internal sealed record ReadRowJson(
        int Replica,
        bool Answered,
        ulong? SeqNum,
        string? Problem,
        IReadOnlyList<string?>? Values
    );
}
