using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using AwesomeAssertions;
using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Core;
using Cairn.Node.Configuration;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.Tests;

/// <summary>docs/configuration.md quotes every numeric key's default and accepted range exactly as the code has
/// them.</summary>
public sealed partial class ConfigurationDocsTests
{
    public static TheoryData<string> NumericKeys() => [.. Settings.Keys];

    private static readonly Dictionary<string, (string Default, string Min, string Max)> Settings = new()
    {
        ["f_val"] = Text(ConfigFile.FaultsTolerated),
        ["metrics_port"] = Text(DeploymentKeys.MetricsPort),
        ["max_request_size"] = Text(DeploymentKeys.MaxRequestSize),
        ["checkpoint_window_size"] = Text(ConsensusKeys.CheckpointWindowSize),
        ["max_num_of_requests_in_batch"] = Text(ConsensusKeys.MaxRequestsInBatch),
        ["max_batch_size_in_bytes"] = Text(ConsensusKeys.MaxBatchSizeInBytes),
        ["batch_flush_period"] = Text(ConsensusKeys.BatchFlushPeriodMs),
        ["concurrency_level"] = Text(ConsensusKeys.ConcurrencyLevel),
        ["view_change_timer_millisec"] = Text(ConsensusKeys.ViewChangeTimerMs),
        ["db_checkpoint_duration"] = Text(DbCheckpointKeys.DurationSeconds),
        ["dbcheckpoint_window"] = Text(DbCheckpointKeys.Window),
        ["num_of_rocksdbcheckpoints"] = Text(DbCheckpointKeys.MaxCheckpoints),
        ["db_checkpoint_diskspace_threshold"] = Text(DbCheckpointKeys.DiskSpaceThreshold),
        ["request_timeout_millisec"] = Text(ClientConfigKeys.RequestTimeoutMillisec),
        ["retransmit_timeout_millisec"] = Text(ClientConfigKeys.RetransmitTimeoutMillisec),
    };

    private static readonly string[] DocRows = File.ReadAllLines(
        Path.Combine(AppContext.BaseDirectory, "docs", "configuration.md")
    );

    [Theory]
    [MemberData(nameof(NumericKeys))]
    public void The_reference_table_quotes_the_codes_default_and_range(string key)
    {
        var rows = DocRows.Where(line => line.StartsWith($"| `{key}` |", StringComparison.Ordinal)).ToList();
        rows.Should().NotBeEmpty($"docs/configuration.md has a table row for {key}");
        var (expectedDefault, min, max) = Settings[key];
        foreach (var row in rows)
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var (defaultCell, acceptedCell) = (cells[3], cells[4]);
            if (defaultCell != "**required**")
            {
                FirstCode()
                    .Match(defaultCell)
                    .Groups[1]
                    .Value.Should()
                    .Be(expectedDefault, $"the default of {key} in: {row}");
            }

            var range = RangeText().Match(acceptedCell);
            range.Success.Should().BeTrue($"the accepted column of {key} names a range: {row}");
            (
                range.Groups["min"].Value.Replace(",", "", StringComparison.Ordinal),
                range.Groups["max"].Value.Replace(",", "", StringComparison.Ordinal)
            )
                .Should()
                .Be((min, max), $"the range of {key} in: {row}");
        }
    }

    private static (string, string, string) Text<T>(Setting<T> setting)
        where T : struct, INumber<T> => (Invariant(setting.Default), Invariant(setting.Min), Invariant(setting.Max));

    private static string Invariant<T>(T value)
        where T : struct, INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex FirstCode();

    [GeneratedRegex(@"(?<min>\d[\d,]*) to (?<max>\d[\d,]*)|\((?<min>\d+), (?<max>\d+)\]")]
    private static partial Regex RangeText();
}
