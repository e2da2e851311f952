using System.Security.Cryptography.X509Certificates;
using AwesomeAssertions;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Transport;

namespace Cairn.Node.Tests;

public sealed class ClusterInitializerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-init-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string ClusterDir => Path.Combine(_root, "cluster");

    [Fact]
    public void Every_replica_config_loads_and_names_keys_that_match_their_private_keys()
    {
        var layout = ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, Replicas: 4, BasePort: 9100));

        layout.ReplicaIds().Should().Equal(0, 1, 2, 3);
        for (var id = 0; id < 4; id++)
        {
            var config = DeploymentConfigLoader.Load(layout.ReplicaConfig(id));
            config.ReplicaId.Value.Should().Be(id);
            config.F.Should().Be(1);
            config.Self.Port.Should().Be(9100 + id);
            config.MetricsPort.Should().Be(9200 + id);
            config.DataDir.Should().Be(layout.ReplicaDataDirectory(id));
            config
                .DbCheckpoints.Path.Should()
                .Be(Path.Combine(layout.ReplicaDataDirectory(id), "rocksdbdata", "checkpoints"));
            config.OperatorPublicKeyPath.Should().Be(layout.OperatorPublicKey);

            using var privateKey = KeyFiles.LoadSigningKey(config.PrivateKeyPath);
            KeyFiles.LoadVerificationKey(config.Self.PublicKeyPath).Should().Be(privateKey.PublicKey);
            // Its TLS key is its certificate's, readable by its owner only.
            config.Self.TlsCertificatePath.Should().Be(layout.ReplicaTlsCertificate(id));
            config.TlsPrivateKeyPath.Should().Be(layout.ReplicaTlsKey(id));
            using var identity = TlsCertificateFiles.LoadIdentity(
                config.Self.TlsCertificatePath,
                config.TlsPrivateKeyPath,
                passphrase: null
            );
            identity.HasPrivateKey.Should().BeTrue();
            identity.GetECDsaPublicKey()!.KeySize.Should().Be(256);
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(config.TlsPrivateKeyPath)
                    .Should()
                    .Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        ReplicaCertificatePins.Load(ReplicasOf(layout.ClientConfig)).Count.Should().Be(4);
        using var operatorKey = KeyFiles.LoadSigningKey(layout.OperatorPrivateKey);
        KeyFiles.LoadVerificationKey(layout.OperatorPublicKey).Should().Be(operatorKey.PublicKey);
        using var clientKey = KeyFiles.LoadSigningKey(layout.ClientPrivateKey);
        KeyFiles.LoadVerificationKey(layout.ClientPublicKey).Should().Be(clientKey.PublicKey);
        File.ReadAllText(layout.OperatorConfig)
            .Should()
            .Contain("operator_private_key: operator_priv.pem")
            .And.Contain("port: 9103");
    }

    [Fact]
    public void Every_key_pair_is_distinct()
    {
        var layout = ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir));
        var publicKeys = Enumerable
            .Range(0, 4)
            .Select(layout.ReplicaPublicKey)
            .Append(layout.OperatorPublicKey)
            .Append(layout.ClientPublicKey)
            .Select(KeyFiles.LoadVerificationKey)
            .ToList();
        publicKeys.Should().OnlyHaveUniqueItems();
        Enumerable
            .Range(0, 4)
            .Select(id => Convert.ToHexString(FingerprintOf(layout.ReplicaTlsCertificate(id))))
            .Should()
            .OnlyHaveUniqueItems();
    }

    private static byte[] FingerprintOf(string certificatePath)
    {
        using var certificate = TlsCertificateFiles.LoadCertificate(certificatePath);
        return TlsCertificateFiles.Fingerprint(certificate);
    }

    [Fact]
    public void Seven_replicas_tolerate_two_faults()
    {
        var layout = ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, Replicas: 7));
        DeploymentConfigLoader.Load(layout.ReplicaConfig(6)).F.Should().Be(2);
    }

    [Theory]
    [InlineData("{ \"NUM_DB_SNAPSHOTS\": \"5\", \"OTHER\": \"x\" }", 5)]
    [InlineData("{ \"NUM_DB_SNAPSHOTS\": 3 }", 3)]
    [InlineData("{ }", 2)]
    public void The_descriptor_sets_the_number_of_checkpoints_kept(string descriptor, int expected)
    {
        var path = Path.Combine(_root, "infrastructure_descriptor.json");
        File.WriteAllText(path, descriptor);
        var layout = ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, DescriptorPath: path));
        DeploymentConfigLoader.Load(layout.ReplicaConfig(2)).DbCheckpoints.MaxCheckpoints.Should().Be(expected);
    }

    [Theory]
    [InlineData("{ \"NUM_DB_SNAPSHOTS\": \"0\" }", "NUM_DB_SNAPSHOTS")]
    [InlineData("{ \"NUM_DB_SNAPSHOTS\": \"two\" }", "an integer from 1 to 100")]
    [InlineData("{ \"NUM_DB_SNAPSHOTS\": ", "not valid JSON")]
    public void A_bad_descriptor_is_named_and_nothing_is_created(string descriptor, string problem)
    {
        var path = Path.Combine(_root, "infrastructure_descriptor.json");
        File.WriteAllText(path, descriptor);
        FluentActions
            .Invoking(() => ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, DescriptorPath: path)))
            .Should()
            .Throw<ConfigException>()
            .Which.Message.Should()
            .StartWith(path)
            .And.Contain(problem);
        Directory.Exists(ClusterDir).Should().BeFalse();
        Directory.GetFileSystemEntries(_root).Should().Equal(path);
    }

    [Fact]
    public void An_existing_cluster_is_never_overwritten()
    {
        var layout = ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir));
        var before = File.ReadAllText(layout.OperatorPrivateKey);

        FluentActions
            .Invoking(() => ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir)))
            .Should()
            .Throw<ClusterInitException>()
            .WithMessage("*is not empty*");
        File.ReadAllText(layout.OperatorPrivateKey).Should().Be(before);
    }

    [Fact]
    public void An_empty_existing_directory_is_used()
    {
        Directory.CreateDirectory(ClusterDir);
        ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir)).ReplicaIds().Should().HaveCount(4);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(1)]
    public void A_replica_count_that_is_not_3f_plus_1_is_refused(int replicas)
    {
        FluentActions
            .Invoking(() => ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, Replicas: replicas)))
            .Should()
            .Throw<ClusterInitException>()
            .WithMessage("*3f + 1*");
        Directory.Exists(ClusterDir).Should().BeFalse();
    }

    [Fact]
    public void Hosts_give_one_bundle_per_host_each_loading_on_its_own()
    {
        var layout = ClusterInitializer.Initialize(
            new ClusterInitOptions(
                ClusterDir,
                Hosts: ReplicaAddress.ParseList("198.51.100.11:7100,198.51.100.12:7100,replica-c.example,[2001:db8::4]")
            )
        );

        layout.ReplicaIds().Should().BeEmpty("no single-host cluster is written besides the bundles");
        layout.BundledReplicaIds().Should().Equal(0, 1, 2, 3);
        var hosts = new[] { "198.51.100.11", "198.51.100.12", "replica-c.example", "2001:db8::4" };
        var ports = new[] { 7100, 7100, 7102, 7103 };
        var chains = new HashSet<string>();
        for (var id = 0; id < 4; id++)
        {
            var bundle = layout.ReplicaBundle(id);
            // Only its own private key and config travel to the host, next to everyone's public keys.
            bundle.ReplicaIds().Should().Equal(id);
            Directory.GetFiles(bundle.Directory, "*_priv.pem", SearchOption.AllDirectories).Should().ContainSingle();
            Directory
                .GetFiles(bundle.Directory, "*_key.pem", SearchOption.AllDirectories)
                .Should()
                .Equal(bundle.ReplicaTlsKey(id));
            var config = DeploymentConfigLoader.Load(bundle.ReplicaConfig(id));
            config.Self.Host.Should().Be(hosts[id]);
            config.Self.Port.Should().Be(ports[id]);
            config.MetricsPort.Should().Be(ports[id] + ClusterInitOptions.MetricsPortOffset);
            config.Replicas.Select(r => r.Host).Should().Equal(hosts);
            config.DataDir.Should().Be(bundle.ReplicaDataDirectory(id));
            config.OperatorPublicKeyPath.Should().Be(bundle.OperatorPublicKey);
            config.Replicas.Select(r => r.PublicKeyPath).Should().OnlyContain(p => p.StartsWith(bundle.Directory));
            using var privateKey = KeyFiles.LoadSigningKey(config.PrivateKeyPath);
            KeyFiles.LoadVerificationKey(config.Self.PublicKeyPath).Should().Be(privateKey.PublicKey);
            // The certificate names the host peers and clients dial, and every bundle pins every replica's.
            using var identity = TlsCertificateFiles.LoadIdentity(
                config.Self.TlsCertificatePath,
                config.TlsPrivateKeyPath,
                passphrase: null
            );
            identity.MatchesHostname(hosts[id]).Should().BeTrue();
            ReplicaCertificatePins.Load(config.Replicas).ReplicaOf(identity).Should().Be(new Cairn.Core.ReplicaId(id));
            chains.Add(config.ChainId);
        }

        chains.Should().ContainSingle("every bundle belongs to one chain");
        Directory
            .GetFiles(layout.OperatorBundle.Directory, "*_priv.pem")
            .Should()
            .Equal(layout.OperatorBundle.OperatorPrivateKey);
        Directory
            .GetFiles(layout.ClientBundle.Directory, "*_priv.pem")
            .Should()
            .Equal(layout.ClientBundle.ClientPrivateKey);
        Directory
            .GetFiles(layout.OperatorBundle.Directory, "*_key.pem", SearchOption.AllDirectories)
            .Should()
            .BeEmpty();
        ReplicaCertificatePins.Load(ReplicasOf(layout.ClientBundle.ClientConfig)).Count.Should().Be(4);
        ReplicasOf(layout.OperatorBundle.OperatorConfig).Select(r => r.Host).Should().Equal(hosts);
        ReplicasOf(layout.ClientBundle.ClientConfig)
            .Select(r => r.PublicKeyPath)
            .Should()
            .OnlyContain(p => File.Exists(p) && p.StartsWith(layout.ClientBundle.Directory));
        using var operatorKey = KeyFiles.LoadSigningKey(layout.OperatorBundle.OperatorPrivateKey);
        KeyFiles.LoadVerificationKey(layout.ReplicaBundle(2).OperatorPublicKey).Should().Be(operatorKey.PublicKey);
    }

    private static IReadOnlyList<PeerEndpoint> ReplicasOf(string config) =>
        ConfigFile.ReadReplicas(ConfigFile.Load(config), 4, p => Path.GetFullPath(p, Path.GetDirectoryName(config)!));

    [Fact]
    public void The_descriptor_names_the_replicas_addresses()
    {
        var path = Path.Combine(_root, "infrastructure_descriptor.json");
        File.WriteAllText(
            path,
            """
            {
              "NUM_DB_SNAPSHOTS": "3",
              "replicas": [
                { "zoneName": "zone-a", "providedIp": "198.51.100.11" },
                { "providedIp": "198.51.100.12", "port": "7200" },
                { "providedIp": "198.51.100.13", "port": 7300 },
                { "providedIp": "198.51.100.14" }
              ]
            }
            """
        );

        var layout = ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, DescriptorPath: path));

        var configs = layout
            .BundledReplicaIds()
            .Select(id => DeploymentConfigLoader.Load(layout.ReplicaBundle(id).ReplicaConfig(id)))
            .ToList();
        configs
            .Select(c => $"{c.Self.Host}:{c.Self.Port}")
            .Should()
            .Equal("198.51.100.11:7100", "198.51.100.12:7200", "198.51.100.13:7300", "198.51.100.14:7103");
        configs.Should().OnlyContain(c => c.DbCheckpoints.MaxCheckpoints == 3);
    }

    [Theory]
    [InlineData("198.51.100.11,198.51.100.12,198.51.100.13", null, "3 replicas")]
    [InlineData("198.51.100.11,198.51.100.12,198.51.100.13,198.51.100.14", 7, "--replicas 7 but 4 addresses")]
    [InlineData("a:7100,a:7200,b,c", null, "replica 1 at a:7200 (metrics 7300) shares a port")]
    [InlineData("a:80,b,c,d", null, "replica 0's port 80 (metrics 180): ports must lie in 1024..65535")]
    [InlineData("a,b,c,d:70000", null, "replica 3's port 70000")]
    public void Unusable_addresses_are_named_and_nothing_is_created(string hosts, int? replicas, string problem)
    {
        FluentActions
            .Invoking(() =>
                ClusterInitializer.Initialize(
                    new ClusterInitOptions(ClusterDir, replicas, Hosts: ReplicaAddress.ParseList(hosts))
                )
            )
            .Should()
            .Throw<ClusterInitException>()
            .Which.Message.Should()
            .Contain(problem);
        Directory.Exists(ClusterDir).Should().BeFalse();
    }

    [Theory]
    [InlineData("a b", "--hosts entry 0 'a b': not a host name or IP address")]
    [InlineData("a,b:x", "--hosts entry 1 'b:x': port 'x' is not a number")]
    public void A_malformed_hosts_entry_is_named(string hosts, string problem) =>
        FluentActions
            .Invoking(() => ReplicaAddress.ParseList(hosts))
            .Should()
            .Throw<ClusterInitException>()
            .Which.Message.Should()
            .StartWith(problem);

    [Theory]
    [InlineData("{ \"replicas\": [ { \"providedIp\": \"a\" } ] }", "1 replicas")]
    [InlineData("{ \"replicas\": [ { \"zoneName\": \"a\" } ] }", "replicas[0]: expected an object with")]
    [InlineData("{ \"replicas\": [ { \"providedIp\": \"a\", \"port\": \"x\" } ] }", "replicas[0].port")]
    [InlineData("{ \"replicas\": [] }", "expected a non-empty array")]
    public void A_descriptor_with_bad_replicas_is_named(string descriptor, string problem)
    {
        var path = Path.Combine(_root, "infrastructure_descriptor.json");
        File.WriteAllText(path, descriptor);
        FluentActions
            .Invoking(() => ClusterInitializer.Initialize(new ClusterInitOptions(ClusterDir, DescriptorPath: path)))
            .Should()
            .Throw<Exception>()
            .Which.Message.Should()
            .Contain(problem);
        Directory.Exists(ClusterDir).Should().BeFalse();
    }

    [Fact]
    public void Addresses_are_given_once()
    {
        var path = Path.Combine(_root, "infrastructure_descriptor.json");
        File.WriteAllText(path, "{ \"replicas\": [ { \"providedIp\": \"a\" } ] }");
        FluentActions
            .Invoking(() =>
                ClusterInitializer.Initialize(
                    new ClusterInitOptions(ClusterDir, DescriptorPath: path, Hosts: ReplicaAddress.ParseList("a,b,c,d"))
                )
            )
            .Should()
            .Throw<ClusterInitException>()
            .WithMessage("*give the replicas' addresses once*");
    }
}
