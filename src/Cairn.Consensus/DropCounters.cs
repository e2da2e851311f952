namespace Cairn.Consensus;

/// <summary>Counts of dropped inputs by <see cref="DropReason"/>, for metrics and tests.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<DropReason>().Length];

    /// <summary>How many inputs were dropped for <paramref name="reason"/>.</summary>
    public long this[DropReason reason] => _counts[(int)reason];

    /// <summary>All drops.</summary>
    public long Total => _counts.Sum();

    internal void Increment(DropReason reason) => _counts[(int)reason]++;

    /// <summary>Non-zero counts, for logs.</summary>
    public override string ToString() =>
        string.Join(", ", Enum.GetValues<DropReason>().Where(r => this[r] != 0).Select(r => $"{r}={this[r]}"));
}
