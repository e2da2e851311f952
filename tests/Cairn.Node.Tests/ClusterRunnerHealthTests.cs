using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AwesomeAssertions;
using Cairn.Node.LocalCluster;

namespace Cairn.Node.Tests;

/// <summary>A replica counts as healthy only when its own process answers <c>/health</c>: another process on its
/// metrics port (another cluster's replica on the same ports) does not make it so.</summary>
public sealed class ClusterRunnerHealthTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-health-").FullName;

    [Fact]
    public async Task A_health_answer_from_another_process_does_not_make_a_replica_healthy()
    {
        using var metricsPort = new TcpListener(IPAddress.Loopback, 0);
        metricsPort.Start();
        var port = ((IPEndPoint)metricsPort.LocalEndpoint).Port;
        var layout = ClusterInitializer.Initialize(
            new ClusterInitOptions(Path.Combine(_root, "cluster"), Replicas: 4, BasePort: port - 100)
        );
        // Stands in for replica 0's process: alive, and its command line names replica 0's config, as a replica's does.
        using var standIn = Process.Start(
            new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "sleep 300", "sh", layout.ReplicaConfig(0) } }
        )!;
        try
        {
            File.WriteAllText(layout.ReplicaPidFile(0), standIn.Id.ToString(CultureInfo.InvariantCulture));
            var runner = new ClusterRunner(layout, ["true"]);

            var answeredByOther = AnswerHealthOnceAsync(metricsPort, Environment.ProcessId);
            var status = await runner.StatusAsync(TestContext.Current.CancellationToken);
            await answeredByOther;
            status[0].Pid.Should().Be(standIn.Id);
            status[0].Healthy.Should().BeFalse("the answer came from another process");

            var answeredByItself = AnswerHealthOnceAsync(metricsPort, standIn.Id);
            status = await runner.StatusAsync(TestContext.Current.CancellationToken);
            await answeredByItself;
            status[0].Healthy.Should().BeTrue();
        }
        finally
        {
            standIn.Kill();
        }
    }

    /// <summary>Answers one HTTP request on <paramref name="listener"/> as a replica's <c>/health</c> does, with
    /// <paramref name="pid"/>.</summary>
    private static async Task AnswerHealthOnceAsync(TcpListener listener, int pid)
    {
        // A generous bound, so a runner that never asks fails the test instead of hanging it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        using var client = await listener.AcceptTcpClientAsync(deadline.Token);
        await using var stream = client.GetStream();
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                return;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var body = $$"""{"status":"ok","replica":0,"pid":{{pid}},"lastExecutedSeq":0}""";
        var response =
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n"
            + $"Connection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), deadline.Token);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
