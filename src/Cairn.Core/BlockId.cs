namespace Cairn.Core;

/// <summary>A ledger block's height: the genesis state is block 0, the first appended block is 1.</summary>
public readonly record struct BlockId(ulong Value) : IComparable<BlockId>
{
    public static BlockId Genesis => default;

    public BlockId Next => new(Value + 1);

    public int CompareTo(BlockId other) => Value.CompareTo(other.Value);

    public static bool operator <(BlockId a, BlockId b) => a.Value < b.Value;

    public static bool operator >(BlockId a, BlockId b) => a.Value > b.Value;

    public static bool operator <=(BlockId a, BlockId b) => a.Value <= b.Value;

    public static bool operator >=(BlockId a, BlockId b) => a.Value >= b.Value;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
