using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// A stopped replica's database copied by <see cref="IntermittentBackup.Copy"/> into <see cref="StagingDirectory"/>
/// (<c>DIR.tmp</c>), its chain checked, waiting for the certificate that <see cref="IntermittentBackup.Complete"/>
/// stores before the rename that commits it. Not a backup yet: nothing under the target's name exists.
/// </summary>
/// <param name="Head">The last block the copy holds.</param>
/// <param name="StateDigest">The state digest the last block records.</param>
/// <param name="CreatedAt">Consensus time of the last block.</param>
/// <param name="SizeBytes">Bytes of the copied database files.</param>
/// <param name="Generation">The consensus generation the copy's replica signed in (and its certificate's
/// signatures were made in).</param>
/// <param name="OwnCertificate">The replica's own stable checkpoint certificate when it certifies the last block
/// (a wedged or quiet cluster at a boundary): the backup then needs nothing from the cluster.</param>
public sealed record IntermittentCopy(
    string TargetDirectory,
    string StagingDirectory,
    LedgerHead Head,
    Digest StateDigest,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    string ChainId,
    ConsensusGeneration Generation,
    StableCheckpointCertificate? OwnCertificate
)
{
    /// <summary>Removes the staged copy (a backup whose certificate could not be obtained).</summary>
    public void Abandon() => CheckpointSource.DeleteDirectory(StagingDirectory);
}
