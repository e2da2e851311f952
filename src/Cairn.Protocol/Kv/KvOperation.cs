using Cairn.Core.Encoding;

namespace Cairn.Protocol.Kv;

/// <summary>
/// A key-value operation a client asks the cluster to order and execute: the <c>operation</c> bytes of a signed
/// client request. Reads are ordered too, so a read sees every write that completed before it (linearizable).
/// </summary>
public sealed record KvOperation(KvOperationKind Kind, byte[] Key, byte[]? Value)
{
    /// <summary>The longest key a client may send, in bytes.</summary>
    public const int MaxKeySize = 4096;

    public static KvOperation Put(byte[] key, byte[] value) => new(KvOperationKind.Put, key, value);

    public static KvOperation Get(byte[] key) => new(KvOperationKind.Get, key, null);

    public byte[] Encode()
    {
        var writer = new CanonicalWriter(Key.Length + (Value?.Length ?? 0) + 16);
        writer.WriteByte((byte)Kind).WriteBytes(Key);
        if (Kind == KvOperationKind.Put)
        {
            writer.WriteBytes(Value ?? []);
        }

        return writer.ToArray();
    }

    /// <summary>Decodes an operation.</summary>
    /// <exception cref="CanonicalEncodingException">When the bytes are not an operation, or the key is empty or too
    /// long.</exception>
    public static KvOperation Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var kind = (KvOperationKind)reader.ReadByte();
        var key = reader.ReadBytes().ToArray();
        if (key.Length is 0 or > MaxKeySize)
        {
            throw new CanonicalEncodingException($"a key is 1 to {MaxKeySize} bytes, got {key.Length}");
        }

        var operation = kind switch
        {
            KvOperationKind.Put => Put(key, reader.ReadBytes().ToArray()),
            KvOperationKind.Get => Get(key),
            _ => throw new CanonicalEncodingException($"unknown key-value operation {(byte)kind}"),
        };
        reader.EnsureEnd();
        return operation;
    }
}
