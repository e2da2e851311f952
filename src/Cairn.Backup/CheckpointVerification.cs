using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>What <see cref="CheckpointVerifier"/> found: every check in order, and what it read.</summary>
public sealed record CheckpointVerification(string Path, IReadOnlyList<CheckpointCheck> Checks)
{
    /// <summary>The validated <c>checkpoint.json</c>, when it could be read.</summary>
    public CheckpointMetadata? Metadata { get; init; }

    /// <summary>The re-derived chain, when it could be.</summary>
    public ChainVerification? Chain { get; init; }

    /// <summary>The manifest, when the checkpoint has one.</summary>
    public CheckpointManifest? Manifest { get; init; }

    /// <summary>True when no check failed.</summary>
    public bool Passed => Checks.All(c => c.Passed != false);

    /// <summary>The first check that failed, or null.</summary>
    public CheckpointCheck? FirstFailure => Checks.FirstOrDefault(c => c.Passed == false);

    /// <summary>Throws when a check failed, naming it.</summary>
    /// <exception cref="DbCheckpointException">Naming the checkpoint, the failed check and what it found.</exception>
    public void ThrowIfFailed()
    {
        if (FirstFailure is { } failure)
        {
            throw new DbCheckpointException(Path, $"does not verify: {failure.Name}: {failure.Detail}");
        }
    }
}
