using AwesomeAssertions;
using Cairn.Backup;
using Cairn.Node.Configuration;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.Tests;

public sealed class DeploymentConfigLoaderTests : IDisposable
{
    private const string Minimal = """
        replica_id: 1
        f_val: 1
        data_dir: data/replica-1
        replica_private_key: keys/replica-1_priv.pem
        replica_tls_key: keys/replica-1_tls_key.pem
        operator_public_key: keys/operator_pub.pem
        replicas:
          - { id: 0, host: 127.0.0.1, port: 7100, public_key: keys/replica-0_pub.pem,
              tls_certificate: keys/replica-0_tls.crt }
          - { id: 1, host: 127.0.0.1, port: 7101, public_key: keys/replica-1_pub.pem,
              tls_certificate: keys/replica-1_tls.crt }
          - { id: 2, host: 127.0.0.1, port: 7102, public_key: keys/replica-2_pub.pem,
              tls_certificate: keys/replica-2_tls.crt }
          - { id: 3, host: 127.0.0.1, port: 7103, public_key: keys/replica-3_pub.pem,
              tls_certificate: keys/replica-3_tls.crt }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, "deployment.config");

    private DeploymentConfig Parse(string yaml) => DeploymentConfigLoader.Parse(yaml, ConfigPath);

    private ConfigException Rejected(string yaml) =>
        FluentActions.Invoking(() => Parse(yaml)).Should().Throw<ConfigException>().Which;

    [Fact]
    public void A_minimal_config_gets_concords_checkpoint_defaults_and_resolves_paths_against_its_directory()
    {
        var config = Parse(Minimal);

        config.ReplicaId.Value.Should().Be(1);
        config.N.Should().Be(4);
        config.Self.Port.Should().Be(7101);
        config.DataDir.Should().Be(Path.Combine(_dir, "data", "replica-1"));
        config.RocksDbPath.Should().Be(Path.Combine(_dir, "data", "replica-1", "rocksdbdata"));
        config.Replicas[3].PublicKeyPath.Should().Be(Path.Combine(_dir, "keys", "replica-3_pub.pem"));
        config.Replicas[3].TlsCertificatePath.Should().Be(Path.Combine(_dir, "keys", "replica-3_tls.crt"));
        config.TlsPrivateKeyPath.Should().Be(Path.Combine(_dir, "keys", "replica-1_tls_key.pem"));
        config.CheckpointWindowSize.Should().Be(150);
        config.BackupMode.Should().Be(BackupMode.Checkpoint);
        config
            .DbCheckpoints.Should()
            .Be(
                new DbCheckpointSettings
                {
                    Enabled = true,
                    DurationSeconds = 21600,
                    MaxCheckpoints = 2,
                    Window = 30000,
                    DiskSpaceThreshold = 0.5,
                    Path = Path.Combine(_dir, "data", "replica-1", "rocksdbdata", "checkpoints"),
                }
            );
    }

    [Fact]
    public void Every_checkpoint_key_is_read()
    {
        var config = Parse(
            Minimal
                + """

                FEATURE_db_checkpoints: false
                db_checkpoint_duration: 60
                num_of_rocksdbcheckpoints: 5
                dbcheckpoint_window: 300
                db_checkpoint_diskspace_threshold: 1
                db_checkpoint_path: /var/backups/cairn
                """
        );

        config
            .DbCheckpoints.Should()
            .Be(
                new DbCheckpointSettings
                {
                    Enabled = false,
                    DurationSeconds = 60,
                    MaxCheckpoints = 5,
                    Window = 300,
                    DiskSpaceThreshold = 1,
                    Path = "/var/backups/cairn",
                }
            );
    }

    [Theory]
    [InlineData("db_checkpoint_duration: 0", "db_checkpoint_duration", "out of range")]
    [InlineData("db_checkpoint_duration: -5", "db_checkpoint_duration", "out of range")]
    [InlineData("dbcheckpoint_window: 0", "dbcheckpoint_window", "out of range")]
    [InlineData("num_of_rocksdbcheckpoints: 0", "num_of_rocksdbcheckpoints", "accepted 1 to 100")]
    [InlineData("db_checkpoint_diskspace_threshold: 0", "db_checkpoint_diskspace_threshold", "accepted (0, 1]")]
    [InlineData("db_checkpoint_diskspace_threshold: 1.5", "db_checkpoint_diskspace_threshold", "accepted (0, 1]")]
    [InlineData("db_checkpoint_diskspace_threshold: half", "db_checkpoint_diskspace_threshold", "expected a number")]
    [InlineData("FEATURE_db_checkpoints: yes please", "FEATURE_db_checkpoints", "expected true or false")]
    [InlineData("checkpoint_window_size: many", "checkpoint_window_size", "expected an integer")]
    [InlineData("concurrency_level: 0", "concurrency_level", "out of range")]
    [InlineData("view_change_timer_millisec: 60001", "view_change_timer_millisec", "out of range")]
    [InlineData("view_change_timer_millisec: 99", "view_change_timer_millisec", "out of range")]
    [InlineData("backup_mode: both", "backup_mode", "one of checkpoint, intermittent")]
    [InlineData("db_checkpoint_windw: 10", "db_checkpoint_windw", "unknown key")]
    [InlineData("data_dir2: x", "data_dir2", "unknown key")]
    public void A_bad_value_names_the_file_the_key_and_what_is_accepted(string line, string key, string problem)
    {
        var error = Rejected(Minimal + "\n" + line);
        error.Key.Should().Be(key);
        error.Message.Should().StartWith(ConfigPath).And.Contain(key).And.Contain(problem);
    }

    [Fact]
    public void Checkpoint_and_intermittent_backup_cannot_both_be_enabled()
    {
        Rejected(Minimal + "\nbackup_mode: intermittent\nFEATURE_db_checkpoints: true")
            .Message.Should()
            .Contain("cannot both be enabled");

        var intermittent = Parse(Minimal + "\nbackup_mode: intermittent");
        intermittent
            .DbCheckpoints.Enabled.Should()
            .BeFalse("intermittent mode turns checkpoints off unless asked otherwise");
    }

    [Fact]
    public void The_number_of_replicas_must_match_f()
    {
        var error = Rejected(Minimal.Replace("f_val: 1", "f_val: 2", StringComparison.Ordinal));
        error.Key.Should().Be("replicas");
        error.Message.Should().Contain("lists 4 replicas but f_val requires n = 3f + 1 = 7");
    }

    [Fact]
    public void Replica_ids_must_be_distinct_and_in_range()
    {
        Rejected(Minimal.Replace("id: 3,", "id: 2,", StringComparison.Ordinal))
            .Message.Should()
            .Contain("replicas[3].id")
            .And.Contain("listed twice");
        Rejected(Minimal.Replace("replica_id: 1", "replica_id: 4", StringComparison.Ordinal))
            .Message.Should()
            .Contain("replica_id")
            .And.Contain("accepted 0 to 3");
    }

    [Fact]
    public void Missing_required_keys_and_bad_ports_are_named()
    {
        Rejected(Minimal.Replace("data_dir: data/replica-1\n", "", StringComparison.Ordinal))
            .Message.Should()
            .Contain("data_dir: required key is missing");
        Rejected(Minimal.Replace("replica_tls_key: keys/replica-1_tls_key.pem\n", "", StringComparison.Ordinal))
            .Message.Should()
            .Contain("replica_tls_key: required key is missing");
        Rejected(Minimal.Replace(",\n      tls_certificate: keys/replica-2_tls.crt", "", StringComparison.Ordinal))
            .Message.Should()
            .Contain("replicas[2].tls_certificate: required key is missing");
        Rejected(Minimal.Replace("port: 7102", "port: 70000", StringComparison.Ordinal))
            .Message.Should()
            .Contain("replicas[2].port")
            .And.Contain("accepted 1 to 65535");
    }

    [Fact]
    public void A_checkpoint_path_that_is_a_file_is_refused()
    {
        var file = Path.Combine(_dir, "not-a-dir");
        File.WriteAllText(file, "x");
        Rejected(Minimal + $"\ndb_checkpoint_path: {file}").Message.Should().Contain("is a file");
    }

    [Fact]
    public void Text_that_is_not_yaml_or_not_a_mapping_is_refused_with_the_file_name()
    {
        Rejected("replica_id: [1, 2").Message.Should().StartWith(ConfigPath).And.Contain("not valid YAML");
        Rejected("- just\n- a list").Message.Should().Contain("expected one YAML mapping");
        // A replicas entry whose closing brace was lost (YamlDotNet stops with an exception of its own here).
        Rejected("replicas:\n  - { id: 0, host: 127.0.0.1, port: 1\n  - { id: 1, host: 127.0.0.1, port: 2 }\n")
            .Message.Should()
            .StartWith(ConfigPath)
            .And.Contain("check that every '{' and '[' is closed");
    }

    [Fact]
    public void An_unreadable_file_is_named()
    {
        var missing = Path.Combine(_dir, "absent.config");
        FluentActions
            .Invoking(() => DeploymentConfigLoader.Load(missing))
            .Should()
            .Throw<ConfigException>()
            .Which.Message.Should()
            .StartWith(missing)
            .And.Contain("cannot read");
    }
}
