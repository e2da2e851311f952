using System.Globalization;
using System.Text;
using AwesomeAssertions;
using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Operator;
using Cairn.Protocol.Configuration;
using CsCheck;

namespace Cairn.Node.Tests;

/// <summary>Every value the loader accepts also runs: it builds valid consensus options and a checkpoint policy that
/// decides at any consensus time, so no accepted config can stop a replica later (issue: "config that validates but
/// kills").</summary>
public sealed class ConfigRangeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-config-range-").FullName;
    private readonly Dictionary<int, SigningKey> _keys = [];

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static readonly (string Key, Gen<string> Values)[] NumericKeys =
    [
        // The replica's own port (7101 below) is the one metrics port refused besides the range.
        ("metrics_port", Values(DeploymentKeys.MetricsPort).Where(port => port != "7101")),
        ("max_request_size", Values(DeploymentKeys.MaxRequestSize)),
        ("checkpoint_window_size", Values(ConsensusKeys.CheckpointWindowSize)),
        ("max_batch_size_in_bytes", Values(ConsensusKeys.MaxBatchSizeInBytes)),
        ("max_num_of_requests_in_batch", Values(ConsensusKeys.MaxRequestsInBatch)),
        ("batch_flush_period", Values(ConsensusKeys.BatchFlushPeriodMs)),
        ("concurrency_level", Values(ConsensusKeys.ConcurrencyLevel)),
        ("view_change_timer_millisec", Values(ConsensusKeys.ViewChangeTimerMs)),
        ("db_checkpoint_duration", Values(DbCheckpointKeys.DurationSeconds)),
        ("dbcheckpoint_window", Values(DbCheckpointKeys.Window)),
        ("num_of_rocksdbcheckpoints", Values(DbCheckpointKeys.MaxCheckpoints)),
        (
            "db_checkpoint_diskspace_threshold",
            Gen.OneOf<string>(Gen.OneOf("1", "1e-300", "0.5"), Gen.Double[1e-9, 1].Select(Invariant))
        ),
    ];

    [Fact]
    public void Any_mix_of_accepted_values_loads_and_runs()
    {
        var configText = ConfigText(f: 1);
        var allKeys = NumericKeys.Aggregate(
            Gen.Const(""),
            (lines, key) => lines.SelectMany(text => key.Values.Select(value => $"{text}{key.Key}: {value}\n"))
        );

        allKeys.Sample(lines => Runs(configText + lines), iter: 200);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_key_at_each_end_of_its_range_loads_and_runs(bool max)
    {
        var extremes = new Dictionary<string, string>
        {
            ["metrics_port"] = End(DeploymentKeys.MetricsPort, max),
            ["max_request_size"] = End(DeploymentKeys.MaxRequestSize, max),
            ["checkpoint_window_size"] = End(ConsensusKeys.CheckpointWindowSize, max),
            ["max_batch_size_in_bytes"] = End(ConsensusKeys.MaxBatchSizeInBytes, max),
            ["max_num_of_requests_in_batch"] = End(ConsensusKeys.MaxRequestsInBatch, max),
            ["batch_flush_period"] = End(ConsensusKeys.BatchFlushPeriodMs, max),
            ["concurrency_level"] = End(ConsensusKeys.ConcurrencyLevel, max),
            ["view_change_timer_millisec"] = End(ConsensusKeys.ViewChangeTimerMs, max),
            ["db_checkpoint_duration"] = End(DbCheckpointKeys.DurationSeconds, max),
            ["dbcheckpoint_window"] = End(DbCheckpointKeys.Window, max),
            ["num_of_rocksdbcheckpoints"] = End(DbCheckpointKeys.MaxCheckpoints, max),
            ["db_checkpoint_diskspace_threshold"] = max
                ? "1"
                : double.Epsilon.ToString("R", CultureInfo.InvariantCulture),
        };
        extremes.Keys.Should().BeEquivalentTo(NumericKeys.Select(k => k.Key));

        Runs(ConfigText(f: 1) + string.Join('\n', extremes.Select(e => $"{e.Key}: {e.Value}")) + "\n");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    public void The_smallest_and_largest_accepted_cluster_loads_and_runs(int f)
    {
        ConfigFile.FaultsTolerated.Accepts(f).Should().BeTrue();

        Runs(ConfigText(f));
    }

    [Fact]
    public void A_window_whose_new_view_would_pass_the_message_ceiling_is_refused_at_load_naming_the_size()
    {
        var error = FluentActions
            .Invoking(() =>
                DeploymentConfigLoader.Parse(ConfigText(f: 50) + "checkpoint_window_size: 100000\n", ConfigPath)
            )
            .Should()
            .Throw<ConfigException>()
            .Which;

        error.Key.Should().Be("checkpoint_window_size");
        var ceiling = MessageBounds.Ceiling.ToString(CultureInfo.InvariantCulture);
        error.Message.Should().Contain("f_val 50").And.Contain(ceiling);
    }

    [Fact]
    public void A_metrics_port_equal_to_the_replicas_own_port_is_refused_at_load()
    {
        var error = FluentActions
            .Invoking(() => DeploymentConfigLoader.Parse(ConfigText(f: 1) + "metrics_port: 7101\n", ConfigPath))
            .Should()
            .Throw<ConfigException>()
            .Which;

        error.Key.Should().Be("metrics_port");
        error.Message.Should().Contain("7101").And.Contain("replica 1");
    }

    private string ConfigPath => Path.Combine(_dir, "deployment.config");

    private bool Runs(string yaml)
    {
        var config = DeploymentConfigLoader.Parse(yaml, ConfigPath);
        var options = ReplicaServer.ConsensusOptions(config, _keys[config.ReplicaId.Value]);

        options.MaxViewChangeTimeout.Should().BeGreaterThanOrEqualTo(options.ViewChangeTimeout);
        var boundary = WedgePoint.Of(new SeqNum(ulong.MaxValue / 4), config.CheckpointWindowSize);
        boundary.Value.Should().BeGreaterThan(ulong.MaxValue / 4);
        foreach (
            var (last, now) in new[]
            {
                (DateTimeOffset.MinValue.AddTicks(1), DateTimeOffset.MaxValue),
                (DateTimeOffset.MaxValue, DateTimeOffset.MinValue.AddTicks(1)),
                (DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
            }
        )
        {
            CheckpointPolicy.IsDue(config.DbCheckpoints, new CheckpointMark(new SeqNum(1), last), boundary, now);
        }

        return true;
    }

    private string ConfigText(int f)
    {
        var n = (3 * f) + 1;
        Directory.CreateDirectory(Path.Combine(_dir, "keys"));
        var text = new StringBuilder(
            string.Create(
                CultureInfo.InvariantCulture,
                $"""
                replica_id: 1
                f_val: {f}
                data_dir: data
                replica_private_key: keys/replica-1_priv.pem
                replica_tls_key: keys/replica-1_tls_key.pem
                operator_public_key: keys/operator_pub.pem
                replicas:

                """
            )
        );
        for (var id = 0; id < n; id++)
        {
            var publicKey = Path.Combine(_dir, "keys", $"replica-{id}_pub.pem");
            if (!_keys.ContainsKey(id))
            {
                var key = SigningKey.Generate();
                _keys[id] = key;
                KeyFiles.SaveVerificationKey(key.PublicKey, publicKey);
                KeyFiles.SaveSigningKey(key, Path.Combine(_dir, "keys", $"replica-{id}_priv.pem"));
            }

            text.Append(
                CultureInfo.InvariantCulture,
                $"  - {{ id: {id}, host: 127.0.0.1, port: {7100 + id}, public_key: keys/replica-{id}_pub.pem, "
                    + $"tls_certificate: keys/replica-{id}_tls.crt }}\n"
            );
        }

        var operatorKey = Path.Combine(_dir, "keys", "operator_pub.pem");
        if (!File.Exists(operatorKey))
        {
            using var key = SigningKey.Generate();
            KeyFiles.SaveVerificationKey(key.PublicKey, operatorKey);
        }

        return text.ToString();
    }

    private static Gen<string> Values(Setting<int> setting) =>
        Gen.OneOf<int>(Gen.OneOf(setting.Min, setting.Max, setting.Default), Gen.Int[setting.Min, setting.Max])
            .Select(v => Invariant(v));

    private static Gen<string> Values(Setting<long> setting) =>
        Gen.OneOf<long>(Gen.OneOf(setting.Min, setting.Max, setting.Default), Gen.Long[setting.Min, setting.Max])
            .Select(v => Invariant(v));

    private static string End(Setting<int> setting, bool max) => Invariant(max ? setting.Max : setting.Min);

    private static string End(Setting<long> setting, bool max) => Invariant(max ? setting.Max : setting.Min);

    private static string Invariant<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
