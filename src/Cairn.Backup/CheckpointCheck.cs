namespace Cairn.Backup;

/// <summary>One check of <see cref="CheckpointVerifier"/>: its name, whether it passed (null: not run, because an
/// earlier check failed or it does not apply), and what it found.</summary>
public sealed record CheckpointCheck(string Name, bool? Passed, string Detail);
