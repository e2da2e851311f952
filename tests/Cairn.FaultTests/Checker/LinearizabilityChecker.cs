using Cairn.FaultTests.History;

namespace Cairn.FaultTests.Checker;

/// <summary>
/// Checks a key-value history for linearizability, one register per key (keys are independent, so the history is
/// linearizable exactly when every key's is). For a key that fails, it shrinks the history to a small violating
/// sub-history: the shortest failing prefix, then operations removed one by one while it still fails. Every candidate
/// keeps, for each read, the puts of the value it returned, so a violating candidate proves the full history violates:
/// dropping a put nobody read from never breaks a linearization.
/// </summary>
public static class LinearizabilityChecker
{
    public static LinearizabilityVerdict Check(IReadOnlyList<Operation> history)
    {
        var byKey = history.GroupBy(o => o.Key, StringComparer.Ordinal).ToList();
        var violations = new List<Violation>();
        foreach (var key in byKey)
        {
            var operations = key.OrderBy(o => o.InvokedAt).ToList();
            switch (RegisterSearch.IsLinearizable(operations))
            {
                case false:
                    violations.Add(new Violation(key.Key, Shrink(operations), Inconclusive: false));
                    break;
                case null:
                    violations.Add(new Violation(key.Key, operations, Inconclusive: true));
                    break;
            }
        }

        return new LinearizabilityVerdict(history.Count, byKey.Count, violations);
    }

    /// <summary>A small sub-history of <paramref name="operations"/> (one key, ordered by invocation) that still
    /// fails.</summary>
    private static List<Operation> Shrink(List<Operation> operations)
    {
        // The shortest failing prefix (failing is monotone in the prefix length: a closed prefix is a sub-history of
        // the next).
        int low = 1,
            high = operations.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Fails(Closed(operations[..middle], operations)))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        var witness = Closed(operations[..high], operations);
        for (var i = witness.Count - 1; i >= 0; i--)
        {
            if (i >= witness.Count)
            {
                continue;
            }

            var candidate = Without(witness, witness[i]);
            if (Fails(candidate))
            {
                witness = candidate;
            }
        }

        return witness;
    }

    private static bool Fails(List<Operation> operations) => RegisterSearch.IsLinearizable(operations) == false;

    /// <summary>The operations plus every put (from <paramref name="all"/>) of a value one of their reads
    /// returned.</summary>
    private static List<Operation> Closed(List<Operation> operations, List<Operation> all)
    {
        var read = operations
            .Where(o => o.Kind == OperationKind.Get && o.Outcome == Outcome.Ok && o.Value is not null)
            .Select(o => o.Value!)
            .ToHashSet(StringComparer.Ordinal);
        var members = operations.ToHashSet();
        members.UnionWith(all.Where(o => o.Kind == OperationKind.Put && read.Contains(o.Value!)));
        return [.. all.Where(members.Contains)];
    }

    /// <summary>The witness without <paramref name="removed"/>; a put goes together with the reads of its value
    /// when no other put of that value remains, so the result stays closed.</summary>
    private static List<Operation> Without(List<Operation> witness, Operation removed)
    {
        var rest = witness.Where(o => o != removed).ToList();
        if (removed.Kind != OperationKind.Put || rest.Any(o => o.Kind == OperationKind.Put && o.Value == removed.Value))
        {
            return rest;
        }

        return [.. rest.Where(o => !(o.Kind == OperationKind.Get && o.Value == removed.Value))];
    }
}
