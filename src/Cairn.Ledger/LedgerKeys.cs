using System.Buffers.Binary;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Ledger;

/// <summary>The ledger's on-disk names: column families, reserved metadata keys, and the encodings of keys and the
/// head.</summary>
internal static class LedgerKeys
{
    public const string BlocksFamily = "blocks";
    public const string StateFamily = "state";
    public const string MetadataFamily = "metadata";

    /// <summary>Metadata keys under this prefix belong to the ledger itself; callers cannot write them.</summary>
    public const string ReservedPrefix = "cairn.";
    public const string FormatKey = "cairn.format";
    public const string ChainIdKey = "cairn.chain_id";
    public const string HeadKey = "cairn.head";

    /// <summary>The <see cref="StateHash"/> of the latest state, written in the same batch as every block.</summary>
    public const string StateHashKey = "cairn.state_hash";

    /// <summary>Marks a directory as a Cairn ledger, and its layout version: the one new ledgers are created with.
    /// The formats differ only in their state hash scheme (<see cref="SchemeOf"/>).</summary>
    public const string FormatValue = "cairn-ledger/2";

    /// <summary>The state hash scheme of <see cref="FormatValue"/>.</summary>
    public const StateHashScheme FormatScheme = StateHashScheme.Sha256Aes256Ctr;

    /// <summary>The format of ledgers created before <see cref="StateHashScheme.Sha256Aes256Ctr"/>: still read, and
    /// kept by their chain.</summary>
    private const string ShakeFormatValue = "cairn-ledger/1";

    /// <summary>The formats this build reads, for messages.</summary>
    public const string ReadableFormats = ShakeFormatValue + ", " + FormatValue;

    /// <summary>The state hash scheme of a ledger of <paramref name="format"/>, or null when this build does not read
    /// that format.</summary>
    public static StateHashScheme? SchemeOf(string format) =>
        format switch
        {
            ShakeFormatValue => StateHashScheme.Shake256,
            FormatValue => FormatScheme,
            _ => null,
        };

    /// <summary>Block ids are big-endian so RocksDB's bytewise order is block order.</summary>
    public static byte[] BlockKey(BlockId id)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, id.Value);
        return key;
    }

    public static byte[] MetadataKey(string key) => System.Text.Encoding.UTF8.GetBytes(key);

    public static byte[] EncodeHead(LedgerHead head) =>
        new CanonicalWriter(48)
            .WriteUInt64(head.LastBlockId.Value)
            .WriteDigest(head.LastDigest)
            .WriteUInt64(head.LastSeqNum.Value)
            .ToArray();

    public static LedgerHead DecodeHead(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var head = new LedgerHead(
            new BlockId(reader.ReadUInt64()),
            reader.ReadDigest(),
            new SeqNum(reader.ReadUInt64())
        );
        reader.EnsureEnd();
        return head;
    }

    /// <summary>Rejects caller metadata that would overwrite the ledger's own entries.</summary>
    public static void CheckCallerMetadata(IReadOnlyList<MetadataWrite> metadata)
    {
        foreach (var write in metadata)
        {
            if (write.Key.Length == 0 || write.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"metadata key '{write.Key}' is empty or reserved (prefix '{ReservedPrefix}')",
                    nameof(metadata)
                );
            }
        }
    }

    /// <summary>Refuses a block re-derived on this ledger that differs from the one a peer sent.</summary>
    /// <exception cref="BlockMismatchException">When <paramref name="derived"/> and <paramref name="received"/>
    /// differ.</exception>
    public static void CheckInstalled(string location, Block derived, Block? received)
    {
        if (received is null || derived.Digest == received.Digest)
        {
            return;
        }

        throw new BlockMismatchException(
            location,
            $"received block {received.Id} (digest {received.Digest.ToHex()[..16]}…, state digest "
                + $"{received.StateDigest.ToHex()[..16]}…) re-derives here as block {derived.Id} (digest "
                + $"{derived.Digest.ToHex()[..16]}…, state digest {derived.StateDigest.ToHex()[..16]}…); not installed"
        );
    }

    /// <summary>Checks that a proposal may follow <paramref name="head"/>.</summary>
    public static void CheckProposal(LedgerHead head, BlockProposal proposal)
    {
        if (proposal.SeqNum <= head.LastSeqNum)
        {
            throw new ArgumentException(
                $"block proposal for sequence number {proposal.SeqNum} does not follow the head's {head.LastSeqNum}",
                nameof(proposal)
            );
        }
    }
}
