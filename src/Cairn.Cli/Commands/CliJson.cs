using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Cli.Commands;

/// <summary>
/// The <c>--json</c> documents of the operator commands, with metadata generated at build time: the operator tool
/// (<c>cairn-op</c>) is compiled to native code, where serialization by reflection is not available. Same options as
/// the rest of the CLI's JSON (camelCase, indented).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(OpCommand.AcceptedJson))]
[JsonSerializable(typeof(OpCommand.WedgeReportJson))]
[JsonSerializable(typeof(DbCheckpointCommand.DbCheckpointReportJson))]
[JsonSerializable(typeof(SnapshotCommand.SnapshotReportJson))]
[JsonSerializable(typeof(CheckpointQueryCommand.HashReportJson))]
[JsonSerializable(typeof(CheckpointQueryCommand.ReadReportJson))]
internal sealed partial class CliJson : JsonSerializerContext;
