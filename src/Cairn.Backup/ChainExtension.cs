using Cairn.Consensus.Messages;
using Cairn.Core.Encoding;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// The blocks that lead from a backup's last block to the later block its certificate certifies
/// (<c>chain-extension.bin</c>, written by <c>cairn backup</c>; docs/architecture.md, "What an intermittent backup's
/// certificate covers"). A replica stopped for a copy is usually past its last stable checkpoint, so no certificate
/// signs its last block's digest; a later one does, and these blocks link the two by digest. A DB checkpoint has none:
/// its certificate signs its last block.
/// </summary>
public sealed record ChainExtension(IReadOnlyList<Block> Blocks)
{
    /// <summary>The file name inside a backup directory; absent means no extension.</summary>
    public const string FileName = "chain-extension.bin";

    private const byte FormatVersion = 1;

    public static ChainExtension Empty { get; } = new([]);

    /// <summary>The last block, or null when there is none.</summary>
    public Block? Last => Blocks.Count == 0 ? null : Blocks[^1];

    /// <summary>
    /// What keeps the chain from linking <paramref name="head"/> (the database's last block) to <paramref
    /// name="certificate"/>, in one line, or null when it links: the first block follows the head and names its
    /// digest, each next block names the previous one's, and the last one (the head itself when there is none) has
    /// the certificate's sequence number and digest. With a null certificate only the links are checked (a partial
    /// extension being fetched).
    /// </summary>
    public string? FindMismatch(LedgerHead head, StableCheckpointCertificate? certificate)
    {
        var (id, digest, seq) = (head.LastBlockId, head.LastDigest, head.LastSeqNum);
        foreach (var block in Blocks)
        {
            if (block.Id != id.Next || block.PreviousDigest != digest || block.SeqNum <= seq)
            {
                return $"extension block {block.Id} (seq {block.SeqNum}) does not follow block {id} (seq {seq}, "
                    + $"digest {digest.ToHex()[..16]}…): it names {block.PreviousDigest.ToHex()[..16]}…";
            }

            (id, digest, seq) = (block.Id, block.Digest, block.SeqNum);
        }

        if (certificate is null || (seq == certificate.Seq && digest == certificate.StateDigest))
        {
            return null;
        }

        return $"the certificate is for seq {certificate.Seq} digest {certificate.StateDigest.ToHex()[..16]}…, "
            + $"the chain from block {head.LastBlockId} ends at block {id} (seq {seq}, "
            + $"digest {digest.ToHex()[..16]}…)"
            + (Blocks.Count == 0 && certificate.Seq > seq ? $" and there is no {FileName} leading to it" : "");
    }

    /// <summary>Writes the blocks to <paramref name="path"/> and fsyncs it.</summary>
    public void Write(string path)
    {
        var writer = new CanonicalWriter(64 + Blocks.Sum(b => b.Encoded.Length + 4));
        writer.WriteByte(FormatVersion).WriteUInt32((uint)Blocks.Count);
        foreach (var block in Blocks)
        {
            writer.WriteBytes(block.Encoded.Span);
        }

        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(writer.WrittenSpan);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The extension in <paramref name="directory"/>, or <see cref="Empty"/> when it has none.</summary>
    /// <exception cref="CheckpointMetadataException">When the file cannot be read or is not an extension.</exception>
    public static ChainExtension ReadFrom(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return Empty;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var reader = new CanonicalReader(bytes);
            var version = reader.ReadByte();
            if (version != FormatVersion)
            {
                throw new CanonicalEncodingException($"format {version} is not the {FormatVersion} this build reads");
            }

            var count = reader.ReadUInt32();
            if (count > (uint)reader.Remaining / 4)
            {
                throw new CanonicalEncodingException($"it claims {count} blocks in {reader.Remaining} bytes");
            }

            var blocks = new List<Block>((int)count);
            for (var i = 0; i < count; i++)
            {
                blocks.Add(Block.Decode(reader.ReadBytes().ToArray()));
            }

            reader.EnsureEnd();
            return new ChainExtension(blocks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointMetadataException(path, $"cannot read the chain extension ({e.Message})");
        }
        catch (CanonicalEncodingException e)
        {
            throw new CheckpointMetadataException(path, $"not a chain extension ({e.Message})");
        }
    }

    /// <summary>
    /// What <paramref name="metadata"/> (of the database this extension starts from) becomes once the extension's
    /// blocks are appended to the database: the checkpoint of the certified block itself, as a DB checkpoint there
    /// would describe it. The metadata itself when there is no extension.
    /// </summary>
    public CheckpointMetadata Extend(CheckpointMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Last is not { } last
            ? metadata
            : metadata with
            {
                Id = last.Id,
                SeqNum = last.SeqNum,
                LastBlockId = last.Id,
                LastBlockDigest = last.Digest,
                StateDigest = last.StateDigest,
                CreatedAt = last.Timestamp,
            };
    }
}
