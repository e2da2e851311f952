using AwesomeAssertions;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Configuration;

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
        }

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
}
