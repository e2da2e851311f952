using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AwesomeAssertions;
using Cairn.Node.LocalCluster;

namespace Cairn.IntegrationTests;

/// <summary>The commands a new user runs, as processes: init, up, kv, load, status, down — and what bad input
/// gets.</summary>
public sealed class CliWorkflowTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-cli-it-").FullName;

    private string ClusterDir => Path.Combine(_root, "cluster");

    [Fact]
    public async Task Init_up_put_get_load_status_down_work_as_a_user_runs_them()
    {
        (await CairnProcess.RunAsync("cluster", "init", "--dir", ClusterDir, "--base-port", TestPorts.Arg(7540)))
            .ExitCode.Should()
            .Be(0);
        TestCluster.UseGenerousTimeouts(new Cairn.Node.LocalCluster.ClusterLayout(ClusterDir));
        try
        {
            var up = await CairnProcess.RunAsync("cluster", "up", "--dir", ClusterDir, "--timeout", "180");
            up.ExitCode.Should().Be(0, up.Error);
            up.Output.Should().Contain("replica 3: pid");
            var pid = File.ReadAllText(new ClusterLayout(ClusterDir).ReplicaPidFile(0)).Trim();
            var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
            environment.Should().Contain(ReplicaEnvironment.Variables.Select(v => $"{v.Key}={v.Value}"));

            (await CairnProcess.RunAsync("kv", "put", "greeting", "hello", "--cluster", ClusterDir))
                .Output.Should()
                .Contain("ok: written in block");
            var get = await CairnProcess.RunAsync("kv", "get", "greeting", "--cluster", ClusterDir);
            get.ExitCode.Should().Be(0, get.Error);
            get.Output.Trim().Should().Be("hello");
            (await CairnProcess.RunAsync("kv", "get", "nobody", "--cluster", ClusterDir)).ExitCode.Should().Be(3);

            var load = await CairnProcess.RunAsync(
                "load",
                "--cluster",
                ClusterDir,
                "--requests",
                "300",
                "--clients",
                "16",
                "--value-size",
                "1024",
                "--json"
            );
            load.ExitCode.Should().Be(0, load.Error);
            using (var report = JsonDocument.Parse(load.Output))
            {
                report.RootElement.GetProperty("completed").GetInt32().Should().Be(300);
                report.RootElement.GetProperty("p99Ms").GetDouble().Should().BePositive();
            }

            // Right after the load a replica on a busy machine may still be catching up: wait until status shows all
            // four healthy and past the writes.
            await Eventually.TrueAsync(
                async () =>
                {
                    var status = await CairnProcess.RunAsync("cluster", "status", "--dir", ClusterDir, "--json");
                    status.ExitCode.Should().Be(0, status.Error);
                    using var replicas = JsonDocument.Parse(status.Output);
                    var rows = replicas.RootElement.GetProperty("replicas").EnumerateArray().ToList();
                    rows.Should().HaveCount(4);
                    // A replica that did not answer the status query in time shows null figures: ask again.
                    return rows.All(r =>
                        r.GetProperty("healthy").GetBoolean()
                        && r.GetProperty("lastExecutedSeq").ValueKind == JsonValueKind.Number
                        && r.GetProperty("lastExecutedSeq").GetUInt64() > 0
                        && r.GetProperty("viewComplaints").GetInt32() >= 0
                    );
                },
                "cluster status showing all four replicas healthy and past the writes"
            );
        }
        finally
        {
            var down = await CairnProcess.RunAsync("cluster", "down", "--dir", ClusterDir);
            down.Output.Should().Contain("stopped replicas 0, 1, 2, 3");
        }

        var after = await CairnProcess.RunAsync("cluster", "status", "--dir", ClusterDir);
        after.Output.Should().Contain("stopped");
    }

    [Fact]
    public async Task Bad_input_gets_one_clear_line_and_a_non_zero_exit()
    {
        (await CairnProcess.RunAsync("cluster", "init", "--dir", ClusterDir, "--base-port", TestPorts.Arg(7550)))
            .ExitCode.Should()
            .Be(0);

        var missing = await CairnProcess.RunAsync("replica", "--config", Path.Combine(_root, "nope.config"));
        missing.ExitCode.Should().Be(1);
        missing.Error.Should().Contain("nope.config").And.NotContain("   at ");

        using (var squatter = new TcpListener(IPAddress.Loopback, TestPorts.At(7550)))
        {
            squatter.Start();
            var busy = await CairnProcess.RunAsync(
                "replica",
                "--config",
                Path.Combine(ClusterDir, "replica-0", "deployment.config")
            );
            busy.ExitCode.Should().Be(1);
            busy.Error.Should().Contain("cannot listen on 127.0.0.1:" + TestPorts.Arg(7550)).And.NotContain("   at ");
        }

        // A cluster that is down: a timeout error naming each replica, not a hang.
        var clientConfig = Path.Combine(ClusterDir, "client.config");
        File.WriteAllText(
            clientConfig,
            File.ReadAllText(clientConfig)
                .Replace("request_timeout_millisec: 30000", "request_timeout_millisec: 1000", StringComparison.Ordinal)
        );
        var down = await CairnProcess.RunAsync("kv", "get", "k", "--cluster", ClusterDir);
        down.ExitCode.Should().Be(1);
        down.Error.Should().Contain("no 2 matching replies within 1 s").And.Contain("replica 3:");
    }

    [Fact]
    public async Task A_request_over_max_request_size_is_refused_with_the_reason()
    {
        (await CairnProcess.RunAsync("cluster", "init", "--dir", ClusterDir, "--base-port", TestPorts.Arg(7560)))
            .ExitCode.Should()
            .Be(0);
        TestCluster.UseGenerousTimeouts(new Cairn.Node.LocalCluster.ClusterLayout(ClusterDir));
        try
        {
            (await CairnProcess.RunAsync("cluster", "up", "--dir", ClusterDir, "--timeout", "180"))
                .ExitCode.Should()
                .Be(0);

            var put = await CairnProcess.RunAsync(
                "kv",
                "put",
                "big",
                new string('x', 70 * 1024),
                "--cluster",
                ClusterDir
            );

            put.ExitCode.Should().Be(1);
            put.Error.Should().Contain("max_request_size of 65536 bytes");
            (await CairnProcess.RunAsync("kv", "get", "big", "--cluster", ClusterDir)).ExitCode.Should().Be(3);
            // Too large for a session frame (ClientSessionLimits): it takes a call of its own, refused alike (the
            // value is just under the 128 KiB the kernel allows one argument).
            var larger = await CairnProcess.RunAsync(
                "kv",
                "put",
                "larger",
                new string('y', 131_000),
                "--cluster",
                ClusterDir
            );
            larger.ExitCode.Should().Be(1);
            larger.Error.Should().Contain("max_request_size of 65536 bytes");
        }
        finally
        {
            await CairnProcess.RunAsync("cluster", "down", "--dir", ClusterDir);
        }
    }

    [Fact]
    public async Task Up_fails_for_a_replica_whose_ports_another_process_holds_even_when_that_one_answers_health()
    {
        (await CairnProcess.RunAsync("cluster", "init", "--dir", ClusterDir, "--base-port", TestPorts.Arg(7300)))
            .ExitCode.Should()
            .Be(0);
        TestCluster.UseGenerousTimeouts(new ClusterLayout(ClusterDir));
        // Replica 0's two ports, held as another cluster's replica 0 would hold them: its /health answers 200.
        using var replicaPort = new TcpListener(IPAddress.Loopback, TestPorts.At(7300));
        replicaPort.Start();
        using var health = new HttpListener();
        health.Prefixes.Add($"http://127.0.0.1:{TestPorts.At(7300) + 100}/");
        health.Start();
        using var stopAnswering = new CancellationTokenSource();
        var answering = AnswerHealthAsync(health, stopAnswering.Token);
        try
        {
            var up = await CairnProcess.RunAsync("cluster", "up", "--dir", ClusterDir, "--timeout", "180");

            up.ExitCode.Should().Be(1, up.Output);
            up.Error.Should().Contain("replica 0 exited during start").And.Contain("cannot listen on");
        }
        finally
        {
            await stopAnswering.CancelAsync();
            health.Stop();
            await answering;
            await CairnProcess.RunAsync("cluster", "down", "--dir", ClusterDir);
        }
    }

    /// <summary>Answers every request as a replica's <c>/health</c> does, from this test's own process.</summary>
    private static async Task AnswerHealthAsync(HttpListener listener, CancellationToken stop)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new
            {
                status = "ok",
                replica = 0,
                pid = Environment.ProcessId,
                lastExecutedSeq = 0,
            }
        );
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException)
            {
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body, stop);
            context.Response.Close();
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
