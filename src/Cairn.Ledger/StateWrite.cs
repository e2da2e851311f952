namespace Cairn.Ledger;

/// <summary>One change to the latest state made by a block: set <see cref="Key"/> to <see cref="Value"/>,
/// or delete it when <see cref="Value"/> is null.</summary>
public sealed record StateWrite(byte[] Key, byte[]? Value)
{
    /// <summary>The longest key accepted, in bytes (as large as any operator needs, small enough to bound a
    /// block).</summary>
    public const int MaxKeySize = 4096;

    public static StateWrite Put(byte[] key, byte[] value) => new(key, value);

    public static StateWrite Delete(byte[] key) => new(key, null);

    public bool IsDelete => Value is null;
}
