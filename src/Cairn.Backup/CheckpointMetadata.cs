using System.Globalization;
using System.Text.Json;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Backup;

/// <summary>
/// The <c>checkpoint.json</c> of a DB checkpoint: what it holds and the proof that it is the agreed state. Written last
/// (before the rename that commits the checkpoint), so a directory without a valid one is never a checkpoint.
/// Read strictly: every field required, no unknown fields, digests and certificate checked against each other.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>The file name inside a checkpoint directory.</summary>
    public const string FileName = "checkpoint.json";

    /// <summary>The format this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = StrictJson.Options;

    /// <summary>The checkpoint id: the last block id it holds (its directory name).</summary>
    public required BlockId Id { get; init; }

    /// <summary>The stable consensus sequence number it was taken at.</summary>
    public required SeqNum SeqNum { get; init; }

    public required BlockId LastBlockId { get; init; }

    /// <summary>The chain digest of the last block; equals the certificate's state digest unless the certificate is
    /// for a later block (<see cref="ChainExtension"/>).</summary>
    public required Digest LastBlockDigest { get; init; }

    /// <summary>The digest of the checkpoint's latest state, as the certified last block records it (<see
    /// cref="Cairn.Ledger.Block.StateDigest"/>).</summary>
    public required Digest StateDigest { get; init; }

    /// <summary>Consensus time of the block at <see cref="SeqNum"/>.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Bytes of all the checkpoint's files.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Bytes of the files that, when the checkpoint was finalised, neither the live database nor another
    /// checkpoint linked: what deleting it would have freed then. Grows as compaction drops shared files.</summary>
    public required long ExclusiveBytes { get; init; }

    /// <summary>The 2f+1 signatures over (seq, last block digest), or, for an intermittent backup, over a later block
    /// its <see cref="ChainExtension"/> leads to.</summary>
    public required StableCheckpointCertificate Certificate { get; init; }

    public required string ChainId { get; init; }

    /// <summary>The epoch the checkpoint was taken in: how many times the cluster had been unwedged.</summary>
    public long Epoch { get; init; }

    /// <summary>Writes the metadata to <paramref name="path"/> and fsyncs it.</summary>
    public void Write(string path)
    {
        var bytes = ToJsonBytes();
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The JSON text, camelCase, digests in hex, the certificate in base64 with its signers listed.</summary>
    public byte[] ToJsonBytes() =>
        JsonSerializer.SerializeToUtf8Bytes(
            new Document
            {
                FormatVersion = CurrentFormatVersion,
                Id = Id.Value,
                SeqNum = SeqNum.Value,
                LastBlockId = LastBlockId.Value,
                LastBlockDigest = LastBlockDigest.ToHex(),
                StateDigest = StateDigest.ToHex(),
                CreatedAt = CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                SizeBytes = SizeBytes,
                ExclusiveBytes = ExclusiveBytes,
                Certificate = Convert.ToBase64String(Certificate.Encode()),
                Signers = [.. Certificate.Signers.Select(s => s.Value)],
                ChainId = ChainId,
                Epoch = Epoch,
            },
            Json
        );

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointMetadataException">When the file is missing, unreadable or invalid, naming it and the
    /// problem.</exception>
    public static CheckpointMetadata Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointMetadataException(
                path,
                e is FileNotFoundException or DirectoryNotFoundException
                    ? "no checkpoint metadata here"
                    : $"cannot read the checkpoint metadata ({e.Message})"
            );
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses and validates metadata; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="CheckpointMetadataException">When the JSON is malformed or a field is missing or
    /// invalid.</exception>
    public static CheckpointMetadata Parse(ReadOnlySpan<byte> json, string source)
    {
        Document document;
        try
        {
            document =
                JsonSerializer.Deserialize<Document>(json, Json)
                ?? throw new CheckpointMetadataException(source, "the checkpoint metadata is null");
        }
        catch (JsonException e)
        {
            throw new CheckpointMetadataException(source, $"not valid checkpoint metadata ({JsonErrors.Describe(e)})");
        }

        return document.ToMetadata(source);
    }

    /// <summary>The JSON shape: primitive fields only, so the typed record stays free of serializer concerns.</summary>
    private sealed class Document
    {
        public required int FormatVersion { get; init; }
        public required ulong Id { get; init; }
        public required ulong SeqNum { get; init; }
        public required ulong LastBlockId { get; init; }
        public required string LastBlockDigest { get; init; }
        public required string StateDigest { get; init; }
        public required string CreatedAt { get; init; }
        public required long SizeBytes { get; init; }
        public required long ExclusiveBytes { get; init; }
        public required string Certificate { get; init; }
        public required int[] Signers { get; init; }
        public required string ChainId { get; init; }
        public required long Epoch { get; init; }

        public CheckpointMetadata ToMetadata(string source)
        {
            CheckpointMetadataException Invalid(string field, string problem) =>
                new(source, $"field '{field}': {problem}");

            if (FormatVersion != CurrentFormatVersion)
            {
                throw Invalid(
                    "formatVersion",
                    $"format {FormatVersion} is not the {CurrentFormatVersion} this build reads"
                );
            }

            if (Id != LastBlockId)
            {
                throw Invalid("id", $"{Id} is not the last block id {LastBlockId}");
            }

            if (SeqNum == 0)
            {
                throw Invalid("seqNum", "must be at least 1");
            }

            var lastDigest = Digest.TryParse(LastBlockDigest, out var d1)
                ? d1
                : throw Invalid("lastBlockDigest", "not 64 hex digits");
            var stateDigest = Digest.TryParse(StateDigest, out var d2)
                ? d2
                : throw Invalid("stateDigest", "not 64 hex digits");
            if (
                !DateTimeOffset.TryParseExact(
                    CreatedAt,
                    "O",
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.None,
                    out var createdAt
                )
            )
            {
                throw Invalid("createdAt", $"'{CreatedAt}' is not an ISO-8601 round-trip time");
            }

            if (SizeBytes < 0 || ExclusiveBytes < 0 || ExclusiveBytes > SizeBytes)
            {
                throw Invalid(
                    "sizeBytes",
                    $"sizes {SizeBytes} (total) and {ExclusiveBytes} (exclusive) are inconsistent"
                );
            }

            if (string.IsNullOrEmpty(ChainId))
            {
                throw Invalid("chainId", "must not be empty");
            }

            StableCheckpointCertificate certificate;
            try
            {
                certificate = StableCheckpointCertificate.Decode(Convert.FromBase64String(Certificate));
            }
            catch (Exception e) when (e is FormatException or CanonicalEncodingException or ArgumentException)
            {
                throw Invalid("certificate", $"not a base64 stable checkpoint certificate ({e.Message})");
            }

            // A later certificate is an intermittent backup's: its chain extension must lead to it (ChainExtension).
            if (
                certificate.Seq.Value < SeqNum
                || (certificate.Seq.Value == SeqNum && certificate.StateDigest != lastDigest)
            )
            {
                throw Invalid(
                    "certificate",
                    $"it certifies seq {certificate.Seq} digest {certificate.StateDigest.ToHex()[..16]}…, "
                        + $"not seq {SeqNum} digest {lastDigest.ToHex()[..16]}…"
                );
            }

            if (!certificate.Signers.Select(s => s.Value).SequenceEqual(Signers))
            {
                throw Invalid("signers", "do not match the certificate's signatures");
            }

            return new CheckpointMetadata
            {
                Id = new BlockId(Id),
                SeqNum = new SeqNum(SeqNum),
                LastBlockId = new BlockId(LastBlockId),
                LastBlockDigest = lastDigest,
                StateDigest = stateDigest,
                CreatedAt = createdAt,
                SizeBytes = SizeBytes,
                ExclusiveBytes = ExclusiveBytes,
                Certificate = certificate,
                ChainId = ChainId,
                Epoch = Epoch,
            };
        }
    }
}
