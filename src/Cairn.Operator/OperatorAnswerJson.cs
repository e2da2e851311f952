using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Operator;

/// <summary>
/// The JSON of replicas' answers to operator queries (camelCase, source-generated): the replica writes and the client
/// reads each answer with the same type info, so the two sides cannot disagree on a field name.
/// </summary>
/// <remarks>Metadata mode only: the generated fast-path writer writes a null <c>byte[]</c> in a list (an absent key of
/// <see cref="CheckpointReadAnswer.Values"/>) as <c>""</c>, which reads back as an empty value.</remarks>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(WedgeStatusAnswer))]
[JsonSerializable(typeof(DbCheckpointStatusAnswer))]
[JsonSerializable(typeof(CheckpointReadAnswer))]
[JsonSerializable(typeof(SnapshotAnswer))]
[JsonSerializable(typeof(CertifiedChainAnswer))]
public sealed partial class OperatorAnswerJson : JsonSerializerContext;
