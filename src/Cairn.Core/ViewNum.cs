namespace Cairn.Core;

/// <summary>A PBFT view number; the primary of view v is replica v mod n.</summary>
public readonly record struct ViewNum(ulong Value) : IComparable<ViewNum>
{
    public ViewNum Next => new(Value + 1);

    public int CompareTo(ViewNum other) => Value.CompareTo(other.Value);

    public static bool operator <(ViewNum a, ViewNum b) => a.Value < b.Value;

    public static bool operator >(ViewNum a, ViewNum b) => a.Value > b.Value;

    public static bool operator <=(ViewNum a, ViewNum b) => a.Value <= b.Value;

    public static bool operator >=(ViewNum a, ViewNum b) => a.Value >= b.Value;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
