using System.Globalization;

namespace Cairn.Node.Execution;

/// <summary>
/// State keys that belong to Cairn itself, all starting with byte 0x00 (clients cannot write such keys). Keeping them
/// in the replicated state means they are agreed, survive restarts, travel with state transfer and are in every
/// checkpoint: the reply cache, used operator nonces, the wedge point, the epoch, the boundary an on-demand DB
/// checkpoint was ordered for, and the mark the periodic DB checkpoint policy counts from.
/// </summary>
internal static class ReplicatedKeys
{
    public const byte ReservedByte = 0x00;

    public static readonly byte[] ReplyPrefix = [ReservedByte, .. "reply/"u8];

    public static readonly byte[] Wedge = [ReservedByte, .. "wedge"u8];

    public static readonly byte[] Epoch = [ReservedByte, .. "epoch"u8];

    public static readonly byte[] CheckpointOrdered = [ReservedByte, .. "checkpoint-at"u8];

    public static readonly byte[] LastCheckpoint = [ReservedByte, .. "checkpoint-last"u8];

    public static byte[] Reply(ulong clientId) =>
        [
            .. ReplyPrefix,
            .. System.Text.Encoding.ASCII.GetBytes(clientId.ToString("D20", CultureInfo.InvariantCulture)),
        ];

    public static byte[] OperatorNonce(ulong nonce) =>
        [
            ReservedByte,
            .. "op-nonce/"u8,
            .. System.Text.Encoding.ASCII.GetBytes(nonce.ToString("x16", CultureInfo.InvariantCulture)),
        ];

    public static byte[] EncodeUInt64(ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    public static ulong DecodeUInt64(byte[]? bytes) =>
        bytes is { Length: 8 } ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;

    /// <summary>A checkpoint mark: its sequence number, then its consensus time in Unix milliseconds (the precision a
    /// block keeps), big-endian.</summary>
    public static byte[] EncodeMark(Cairn.Backup.CheckpointMark mark)
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, mark.Seq.Value);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(
            bytes.AsSpan(8),
            mark.ConsensusTime.ToUnixTimeMilliseconds()
        );
        return bytes;
    }

    /// <summary>The mark, or <see cref="Cairn.Backup.CheckpointMark.None"/> when the state has none.</summary>
    public static Cairn.Backup.CheckpointMark DecodeMark(byte[]? bytes) =>
        bytes is { Length: 16 }
            ? new Cairn.Backup.CheckpointMark(
                new Cairn.Core.SeqNum(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes)),
                DateTimeOffset.FromUnixTimeMilliseconds(
                    System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8))
                )
            )
            : Cairn.Backup.CheckpointMark.None;
}
