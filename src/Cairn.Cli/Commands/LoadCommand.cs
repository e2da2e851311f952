using System.CommandLine;
using Cairn.Client;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn load</c>: concurrent puts against a running cluster, with throughput and latency
/// percentiles.</summary>
internal static class LoadCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cluster = CommonOptions.Cluster();
        var requests = new Option<int>("--requests")
        {
            Description = "How many puts to send in all.",
            DefaultValueFactory = _ => 10_000,
        };
        var clients = new Option<int>("--clients")
        {
            Description = "Concurrent client sessions.",
            DefaultValueFactory = _ => 32,
        };
        var valueSize = new Option<int>("--value-size")
        {
            Description = "Bytes per value.",
            DefaultValueFactory = _ => 1024,
        };
        var json = CommonOptions.JsonOutput();
        var load = new Command("load", "Send puts from concurrent clients and report throughput and latency.")
        {
            cluster,
            requests,
            clients,
            valueSize,
            json,
        };
        load.SetAction(
            async (parse, cancellationToken) =>
            {
                var options = new LoadOptions(
                    parse.GetValue(requests),
                    parse.GetValue(clients),
                    parse.GetValue(valueSize)
                );
                options.Validate();
                var config = ClientConfig.Load(
                    new ClusterLayout(parse.GetRequiredValue(cluster).FullName).ClientConfig
                );
                var asJson = parse.GetValue(json);
                var report = asJson
                    ? await LoadGenerator.RunAsync(config, options, null, cancellationToken)
                    : await RunWithProgressAsync(console, config, options, cancellationToken);
                if (asJson)
                {
                    CommonOptions.WriteJson(console, report);
                }
                else
                {
                    Print(console, report);
                }

                return report.Failed == 0 ? 0 : 1;
            }
        );
        return load;
    }

    /// <summary>Runs the load with a progress bar on an interactive terminal (none otherwise).</summary>
    internal static Task<LoadReport> RunWithProgressAsync(
        IAnsiConsole console,
        ClientConfig config,
        LoadOptions options,
        CancellationToken cancellationToken
    ) =>
        ProgressDisplay.CountAsync(
            console,
            "requests",
            report =>
                LoadGenerator.RunAsync(
                    config,
                    options,
                    new SynchronousProgress<int>(done => report(done, options.Requests)),
                    cancellationToken
                )
        );

    private static void Print(IAnsiConsole console, LoadReport report)
    {
        var table = new Table().AddColumns(
            "requests",
            "ok",
            "failed",
            "clients",
            "value size",
            "seconds",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms"
        );
        table.AddRow(
            $"{report.Requests:N0}",
            $"{report.Completed:N0}",
            $"{report.Failed:N0}",
            $"{report.Clients}",
            $"{report.ValueSize:N0} B",
            $"{report.Seconds:N2}",
            $"{report.ThroughputPerSecond:N0}",
            $"{report.P50Ms:N1}",
            $"{report.P95Ms:N1}",
            $"{report.P99Ms:N1}",
            $"{report.MaxMs:N1}"
        );
        console.Write(table);
        if (report.FirstError is not null)
        {
            console.MarkupLineInterpolated($"[red]first failure:[/] {report.FirstError}");
        }

        if (report.Unfinished > 0)
        {
            console.MarkupLineInterpolated(
                $"[red]stopped early:[/] {report.Clients} failed in a row; {report.Unfinished:N0} given up"
            );
        }
    }
}
