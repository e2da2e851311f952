using System.Security.Cryptography.X509Certificates;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.Node.Tests;

/// <summary>Replica 0 of a freshly initialised cluster, run in this process on a free loopback port (its peers are
/// not started: what is under test is its port, not consensus).</summary>
public class ReplicaUnderTest : IAsyncLifetime
{
    /// <summary>Which replica of the cluster runs.</summary>
    protected virtual int Id => 0;

    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public string Root { get; } = Directory.CreateTempSubdirectory("cairn-tls-").FullName;

    public ClusterLayout Layout { get; private set; } = null!;

    public DeploymentConfig Config { get; private set; } = null!;

    public ReplicaCertificatePins Pins { get; private set; } = null!;

    public int Port => Config.Self.Port;

    public async ValueTask InitializeAsync()
    {
        // The replica binds base + Id: a range found free below the ephemeral ports, which an outgoing connection of
        // another test cannot take in the meantime (a single free port's neighbours could be).
        Layout = ClusterInitializer.Initialize(
            new ClusterInitOptions(
                Path.Combine(Root, "cluster"),
                BasePort: LocalPorts.FindFreeBasePort(ClusterInitOptions.DefaultReplicas)
            )
        );
        var configPath = Layout.ReplicaConfig(Id);
        var text = File.ReadAllLines(configPath).Select(l => l.StartsWith("metrics_port:") ? "metrics_port: 0" : l);
        // A short view-change timer: a request it holds makes it complain within a second (its peers never answer).
        File.WriteAllLines(configPath, [.. text, "view_change_timer_millisec: 1000"]);
        Config = DeploymentConfigLoader.Load(configPath);
        Pins = ReplicaCertificatePins.Load(Config.Replicas);
        _run = Task.Run(() => ReplicaServer.RunAsync(Config, _stop.Token));
        using var channel = Channel(Pins.Fingerprint(Config.ReplicaId), ownCertificate: null);
        var admin = new AdminApi.AdminApiClient(channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await admin.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return;
            }
            catch (RpcException) when (attempt < 100)
            {
                if (_run.IsCompleted)
                {
                    // The replica stopped (its port taken, say): the fixture fails with its error, not the RPC's.
                    await _run;
                    throw new InvalidOperationException($"replica {Id} stopped before it served its port");
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>A channel to the replica's port pinning <paramref name="fingerprint"/> and presenting
    /// <paramref name="ownCertificate"/>.</summary>
    public GrpcChannel Channel(byte[] fingerprint, X509Certificate2? ownCertificate) =>
        GrpcChannel.ForAddress(
            Config.Self.Address,
            new GrpcChannelOptions
            {
                HttpHandler = ReplicaTls.Handler(fingerprint, ownCertificate),
                DisposeHttpClient = true,
            }
        );

    /// <summary>Replica <paramref name="id"/>'s TLS certificate with its key, as that replica presents it.</summary>
    public X509Certificate2 Identity(int id) =>
        TlsCertificateFiles.LoadIdentity(Layout.ReplicaTlsCertificate(id), Layout.ReplicaTlsKey(id), passphrase: null);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}
