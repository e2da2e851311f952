using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Protocol.Kv;

/// <summary>
/// The result of a <see cref="KvOperation"/>, as every correct replica computes it (so f+1 replies match byte for
/// byte):
/// the block the operation's batch produced, and for a read the value found (null when the key is absent).
/// A rejected operation carries the reason instead.
/// </summary>
public sealed record KvResult(KvResultStatus Status, BlockId Block, byte[]? Value, string? Error)
{
    public static KvResult Written(BlockId block) => new(KvResultStatus.Ok, block, null, null);

    public static KvResult Read(BlockId block, byte[]? value) => new(KvResultStatus.Ok, block, value, null);

    public static KvResult Rejected(BlockId block, string reason) => new(KvResultStatus.Rejected, block, null, reason);

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(32 + (Value?.Length ?? 0));
        writer.WriteByte((byte)Status).WriteUInt64(Block.Value).WriteBool(Value is not null);
        if (Value is not null)
        {
            writer.WriteBytes(Value);
        }

        writer.WriteString(Error ?? string.Empty);
        return writer.ToArray();
    }

    /// <exception cref="CanonicalEncodingException">When the bytes are not a result.</exception>
    public static KvResult Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var status = (KvResultStatus)reader.ReadByte();
        if (status is not (KvResultStatus.Ok or KvResultStatus.Rejected))
        {
            throw new CanonicalEncodingException($"unknown result status {(byte)status}");
        }

        var block = new BlockId(reader.ReadUInt64());
        var value = reader.ReadBool() ? reader.ReadBytes().ToArray() : null;
        var error = reader.ReadString();
        reader.EnsureEnd();
        return new KvResult(status, block, value, error.Length == 0 ? null : error);
    }
}
