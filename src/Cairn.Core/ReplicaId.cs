namespace Cairn.Core;

/// <summary>A replica's index in the cluster, 0 ≤ id &lt; n.</summary>
public readonly record struct ReplicaId(int Value) : IComparable<ReplicaId>
{
    public int CompareTo(ReplicaId other) => Value.CompareTo(other.Value);

    public static bool operator <(ReplicaId a, ReplicaId b) => a.Value < b.Value;

    public static bool operator >(ReplicaId a, ReplicaId b) => a.Value > b.Value;

    public static bool operator <=(ReplicaId a, ReplicaId b) => a.Value <= b.Value;

    public static bool operator >=(ReplicaId a, ReplicaId b) => a.Value >= b.Value;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
