namespace Cairn.FaultTests.Checker;

/// <summary>The checker's answer for a whole history: linearizable when no key has a violation.</summary>
public sealed record LinearizabilityVerdict(int Operations, int Keys, IReadOnlyList<Violation> Violations)
{
    public bool Linearizable => Violations.Count == 0;

    public string Describe(long origin) =>
        Linearizable
            ? $"linearizable ({Operations} operations on {Keys} keys)"
            : string.Join('\n', Violations.Select(v => v.Describe(origin)));
}
