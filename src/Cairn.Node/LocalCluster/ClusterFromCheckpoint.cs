using Cairn.Backup;

namespace Cairn.Node.LocalCluster;

/// <summary>A cluster <see cref="ClusterInitializer.InitializeFromCheckpoint"/> created: a new chain seeded with a
/// checkpoint's state.</summary>
/// <param name="ChainId">The new chain's id.</param>
/// <param name="Source">The checkpoint whose state is the new chain's genesis state (of its own, older chain).</param>
/// <param name="CertificateChecked">The checkpoint's quorum certificate was checked against the source cluster's
/// keys.</param>
public sealed record ClusterFromCheckpoint(
    ClusterLayout Layout,
    string ChainId,
    CheckpointMetadata Source,
    bool CertificateChecked
);
