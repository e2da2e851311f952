using System.Globalization;
using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Verifies a checkpoint directory the way an auditor would, with nothing but the checkpoint and the replicas' public
/// keys: the manifest (when present), <c>checkpoint.json</c>, the database opened read-only, the re-derived block hash
/// chain, the head against the metadata, the chain extension of an intermittent backup (<see cref="ChainExtension"/>),
/// the state re-hashed against the digest the last block records, and the quorum certificate. Stops at the first
/// failure; later checks are reported as not run.
/// </summary>
public static class CheckpointVerifier
{
    public const string ManifestCheck = "manifest";
    public const string MetadataCheck = "metadata";
    public const string OpenCheck = "open read-only";
    public const string ChainCheck = "block hash chain";
    public const string HeadCheck = "head matches metadata";
    public const string StateCheck = "state digest";
    public const string CertificateCheck = "quorum certificate";

    private static readonly string[] AllChecks =
    [
        ManifestCheck,
        MetadataCheck,
        OpenCheck,
        ChainCheck,
        HeadCheck,
        StateCheck,
        CertificateCheck,
    ];

    /// <summary>Runs every check on <paramref name="directory"/>.</summary>
    /// <param name="directory">A checkpoint directory (or an extracted archive).</param>
    /// <param name="keys">The replicas' public keys; without them the certificate check is not run (and fails
    /// verification).</param>
    /// <param name="requireManifest">Fail when there is no <c>manifest.json</c> (archives always have one).</param>
    /// <param name="expectedChainId">Fail when the checkpoint belongs to another chain.</param>
    /// <param name="progress">Bytes hashed while checking the manifest.</param>
    /// <param name="databaseDirectory">Where to open the database from, when not <paramref name="directory"/>: a copy
    /// of its database files (a restore verifies the staged files it installs, ReplicaRestore).</param>
    public static CheckpointVerification Verify(
        string directory,
        ReplicaPublicKeys? keys,
        bool requireManifest = false,
        string? expectedChainId = null,
        IProgress<long>? progress = null,
        string? databaseDirectory = null
    )
    {
        directory = Path.GetFullPath(directory);
        var checks = new List<CheckpointCheck>();
        var result = new CheckpointVerification(directory, checks);
        bool Fail(string name, string detail)
        {
            checks.Add(new CheckpointCheck(name, false, detail));
            checks.AddRange(
                AllChecks.SkipWhile(c => c != name).Skip(1).Select(c => new CheckpointCheck(c, null, "not run"))
            );
            return false;
        }

        if (!Directory.Exists(directory))
        {
            Fail(ManifestCheck, $"{directory}: no such checkpoint directory");
            return result;
        }

        // 1. Manifest first, before RocksDB opens anything.
        var manifestPath = Path.Combine(directory, CheckpointManifest.FileName);
        if (File.Exists(manifestPath))
        {
            try
            {
                var manifest = CheckpointManifest.Read(manifestPath);
                manifest.Verify(directory, progress);
                result = result with { Manifest = manifest };
                checks.Add(
                    new CheckpointCheck(
                        ManifestCheck,
                        true,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{manifest.Files.Count} files, {manifest.TotalBytes} bytes, sizes and SHA-256 match"
                        )
                    )
                );
            }
            catch (DbCheckpointException e)
            {
                Fail(ManifestCheck, e.Message);
                return result;
            }
        }
        else if (requireManifest)
        {
            Fail(ManifestCheck, $"{manifestPath}: missing");
            return result;
        }
        else
        {
            checks.Add(
                new CheckpointCheck(ManifestCheck, null, "none (a checkpoint directory as the replica wrote it)")
            );
        }

        // 2. checkpoint.json, strictly, and the chain extension of an intermittent backup.
        CheckpointMetadata metadata;
        ChainExtension extension;
        try
        {
            metadata = CheckpointMetadata.Read(Path.Combine(directory, CheckpointMetadata.FileName));
            extension = ChainExtension.ReadFrom(directory);
            result = result with { Metadata = metadata };
        }
        catch (CheckpointMetadataException e)
        {
            Fail(MetadataCheck, e.Message);
            return result;
        }

        if (expectedChainId is not null && metadata.ChainId != expectedChainId)
        {
            Fail(MetadataCheck, $"the checkpoint belongs to chain '{metadata.ChainId}', not '{expectedChainId}'");
            return result;
        }

        checks.Add(
            new CheckpointCheck(
                MetadataCheck,
                true,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"id {metadata.Id}, seq {metadata.SeqNum}, chain '{metadata.ChainId}'"
                ) + ExtensionDetail(metadata, extension)
            )
        );

        // 3-6. The database itself.
        ILedgerReader reader;
        ConsensusGeneration generation;
        try
        {
            reader = RocksDbLedger.OpenReadOnly(databaseDirectory ?? directory);
            checks.Add(
                new CheckpointCheck(OpenCheck, true, $"chain '{reader.ChainId}', head block {reader.Head.LastBlockId}")
            );
        }
        catch (LedgerException e)
        {
            Fail(OpenCheck, e.Message);
            return result;
        }

        using (reader)
        {
            ChainVerification chain;
            try
            {
                chain = ChainVerifier.Verify(reader);
                result = result with { Chain = chain };
                checks.Add(
                    new CheckpointCheck(
                        ChainCheck,
                        true,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{chain.BlocksChecked} blocks re-derived, last digest "
                                + $"{chain.Head.LastDigest.ToHex()[..16]}…"
                        )
                    )
                );
            }
            catch (LedgerException e)
            {
                Fail(ChainCheck, e.Message);
                return result;
            }

            var head = chain.Head;
            if (
                head.LastBlockId != metadata.LastBlockId
                || head.LastSeqNum != metadata.SeqNum
                || head.LastDigest != metadata.LastBlockDigest
                || reader.ChainId != metadata.ChainId
            )
            {
                Fail(
                    HeadCheck,
                    $"the database holds block {head.LastBlockId} at seq {head.LastSeqNum} digest "
                        + $"{head.LastDigest.ToHex()[..16]}… of chain '{reader.ChainId}', "
                        + $"checkpoint.json says block {metadata.LastBlockId} at seq {metadata.SeqNum} digest "
                        + $"{metadata.LastBlockDigest.ToHex()[..16]}… of chain '{metadata.ChainId}'"
                );
                return result;
            }

            checks.Add(new CheckpointCheck(HeadCheck, true, $"block {head.LastBlockId}, seq {head.LastSeqNum}"));

            string? mismatch;
            try
            {
                mismatch = CertifiedState.FindMismatch(reader, metadata, extension);
            }
            catch (LedgerException e)
            {
                Fail(StateCheck, e.Message);
                return result;
            }

            if (mismatch is not null)
            {
                Fail(StateCheck, mismatch);
                return result;
            }

            checks.Add(
                new CheckpointCheck(
                    StateCheck,
                    true,
                    $"{metadata.StateDigest.ToHex()}, re-derived from the state and recorded in the certified block"
                )
            );
            try
            {
                // The certificate is signed in the generation the checkpoint was taken in.
                generation = GenerationMetadata.Read(reader);
            }
            catch (LedgerException e)
            {
                Fail(CertificateCheck, e.Message);
                return result;
            }
        }

        // 7. The certificate: 2f+1 distinct valid signatures over (seq, last block digest).
        var certificate = metadata.Certificate;
        if (keys is null)
        {
            Fail(CertificateCheck, "no replica public keys given to check it against");
            return result;
        }

        // That it certifies the head's block, or the one the chain extension leads to, is the state check's.
        var valid = ValidSigners(certificate, keys, generation);
        var quorum = Quorums.Quorum(keys.F);
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"{valid.Count} distinct valid signatures of {quorum} needed (n = {keys.Keys.Count}, f = {keys.F}); valid: "
                + $"[{string.Join(", ", valid)}], in certificate: "
                + $"[{string.Join(", ", certificate.Signers.Select(s => s.Value))}]"
        );
        if (!generation.IsGenesis)
        {
            detail += $"; signed in consensus generation {generation}";
        }

        if (valid.Count < quorum || !certificate.Verify(keys.Keys, keys.F, generation))
        {
            Fail(CertificateCheck, detail);
            return result;
        }

        checks.Add(new CheckpointCheck(CertificateCheck, true, detail));
        return result;
    }

    private static string ExtensionDetail(CheckpointMetadata metadata, ChainExtension extension) =>
        extension.Last is { } last
            ? string.Create(
                CultureInfo.InvariantCulture,
                $", certified at seq {metadata.Certificate.Seq} through {extension.Blocks.Count} extension blocks to "
                    + $"block {last.Id}"
            )
            : "";

    /// <summary>The distinct replicas whose signature in <paramref name="certificate"/> verifies under their key in
    /// <paramref name="generation"/>, in order.</summary>
    public static IReadOnlyList<int> ValidSigners(
        StableCheckpointCertificate certificate,
        ReplicaPublicKeys keys,
        ConsensusGeneration generation
    )
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(keys);
        return
        [
            .. certificate
                .ToMessages()
                .Where(m =>
                    (uint)m.Sender.Value < (uint)keys.Keys.Count
                    && m.VerifySignature(keys.Keys[m.Sender.Value], generation)
                )
                .Select(m => m.Sender.Value)
                .Distinct()
                .Order(),
        ];
    }
}
