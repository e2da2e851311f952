namespace Cairn.Core;

/// <summary>A consensus sequence number: the position of a batch in the agreed order (first batch is 1).</summary>
public readonly record struct SeqNum(ulong Value) : IComparable<SeqNum>
{
    public static SeqNum Zero => default;

    public SeqNum Next => new(Value + 1);

    public int CompareTo(SeqNum other) => Value.CompareTo(other.Value);

    public static bool operator <(SeqNum a, SeqNum b) => a.Value < b.Value;

    public static bool operator >(SeqNum a, SeqNum b) => a.Value > b.Value;

    public static bool operator <=(SeqNum a, SeqNum b) => a.Value <= b.Value;

    public static bool operator >=(SeqNum a, SeqNum b) => a.Value >= b.Value;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
