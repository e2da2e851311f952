namespace Cairn.Ledger;

/// <summary>Bytewise order of keys, the order RocksDB's default comparator iterates in.</summary>
internal sealed class ByteArrayComparer : IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
