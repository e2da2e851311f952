using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Operator;

/// <summary>
/// The body of <c>checkpoint hash</c> and <c>checkpoint read</c> queries: which checkpoint, and for a read the keys.
/// Limits are checked on both sides: the CLI refuses before signing, a replica refuses a body that breaks them.
/// </summary>
public sealed record CheckpointQuery(BlockId CheckpointId, IReadOnlyList<byte[]> Keys)
{
    /// <summary>What a replica (and the CLI) answers to any checkpoint command when DB checkpoints are off.</summary>
    public const string FeatureDisabled = "the DB checkpoint feature is disabled (FEATURE_db_checkpoints: false)";

    /// <summary>The largest key, as for key-value requests (<c>StateWrite.MaxKeySize</c>).</summary>
    public const int MaxKeySize = 4096;

    /// <summary>How many keys one read may ask for.</summary>
    public const int MaxKeys = 256;

    /// <summary>Null when <paramref name="keys"/> are within the limits, else what is wrong with them.</summary>
    public static string? KeyProblem(IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > MaxKeys)
        {
            return $"{keys.Count} keys asked for; at most {MaxKeys} per read";
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].Length is 0 or > MaxKeySize)
            {
                return $"key {i + 1} is {keys[i].Length} bytes; a key is 1 to {MaxKeySize} bytes";
            }
        }

        return null;
    }

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(16 + Keys.Sum(k => k.Length + 4));
        writer.WriteUInt64(CheckpointId.Value).WriteUInt32((uint)Keys.Count);
        foreach (var key in Keys)
        {
            writer.WriteBytes(key);
        }

        return writer.ToArray();
    }

    /// <exception cref="CanonicalEncodingException">When the bytes are not a query body or break the
    /// limits.</exception>
    public static CheckpointQuery Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var id = new BlockId(reader.ReadUInt64());
        var count = reader.ReadUInt32();
        if (count > MaxKeys)
        {
            throw new CanonicalEncodingException($"{count} keys asked for; at most {MaxKeys} per read");
        }

        var keys = new List<byte[]>((int)count);
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadBytes().ToArray());
        }

        reader.EnsureEnd();
        if (KeyProblem(keys) is { } problem)
        {
            throw new CanonicalEncodingException(problem);
        }

        return new CheckpointQuery(id, keys);
    }
}
