using Cairn.FaultTests.History;

namespace Cairn.FaultTests.Checker;

/// <summary>
/// Wing &amp; Gong's linearizability search with Lowe's memoisation, as Porcupine runs it, for the operations on one
/// key
/// modelled as a register (absent until the first put). Calls and returns form a time-ordered list; the search
/// repeatedly linearizes a pending call whose result the register allows, and backtracks when it meets a return whose
/// call it has not linearized. (set of linearized operations, register value) pairs already seen are not explored
/// again.
/// Operations with an unknown outcome return "at infinity": they may take effect at any point after their invocation,
/// or never (a put can always be placed last). Failed operations and reads with no answer carry no information.
/// </summary>
internal sealed class RegisterSearch
{
    private const int Absent = -1;
    private const int NeverWritten = -2;

    private readonly Node _head = new(-1, isCall: false);
    private readonly OperationStep[] _steps;
    private readonly long _stepBudget;

    private RegisterSearch(IReadOnlyList<Operation> operations, long stepBudget)
    {
        _stepBudget = stepBudget;
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        var relevant = operations
            .Where(o => o.Outcome != Outcome.Fail && !(o.Kind == OperationKind.Get && o.Outcome == Outcome.Unknown))
            .ToList();
        foreach (var put in relevant.Where(o => o.Kind == OperationKind.Put))
        {
            values.TryAdd(put.Value!, values.Count);
        }

        _steps =
        [
            .. relevant.Select(o => new OperationStep(
                o.Kind == OperationKind.Put,
                o.Value is null ? Absent : values.GetValueOrDefault(o.Value, NeverWritten)
            )),
        ];

        var events = new List<(long Time, bool IsCall, int Index)>();
        for (var i = 0; i < relevant.Count; i++)
        {
            events.Add((relevant[i].InvokedAt, true, i));
            events.Add((relevant[i].Outcome == Outcome.Unknown ? long.MaxValue : relevant[i].CompletedAt, false, i));
        }

        // Calls before returns at equal times: operations that touch in time may be taken as concurrent.
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : b.IsCall.CompareTo(a.IsCall));
        var calls = new Node[relevant.Count];
        var previous = _head;
        foreach (var (_, isCall, index) in events)
        {
            var node = new Node(index, isCall) { Prev = previous };
            if (isCall)
            {
                calls[index] = node;
            }
            else
            {
                calls[index].Match = node;
            }

            previous.Next = node;
            previous = node;
        }
    }

    /// <summary>True (linearizable), false (not), or null when the search took more than <paramref name="stepBudget"/>
    /// steps.</summary>
    public static bool? IsLinearizable(IReadOnlyList<Operation> operations, long stepBudget = 20_000_000) =>
        new RegisterSearch(operations, stepBudget).Run();

    private bool? Run()
    {
        var linearized = new ulong[(_steps.Length + 63) / 64];
        var seen = new HashSet<SearchState>();
        var stack = new Stack<(Node Call, int State)>();
        var state = Absent;
        var entry = _head.Next;
        long steps = 0;
        while (_head.Next is not null)
        {
            if (++steps > _stepBudget)
            {
                return null;
            }

            if (entry!.IsCall)
            {
                var step = _steps[entry.Index];
                var allowed = step.IsPut || step.Value == state;
                var next = step.IsPut ? step.Value : state;
                if (allowed)
                {
                    linearized[entry.Index / 64] |= 1UL << (entry.Index % 64);
                    if (seen.Add(new SearchState((ulong[])linearized.Clone(), next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        Lift(entry);
                        entry = _head.Next;
                        continue;
                    }

                    linearized[entry.Index / 64] &= ~(1UL << (entry.Index % 64));
                }

                entry = entry.Next;
            }
            else
            {
                // A return whose call is not linearized yet: undo the latest choice and try the next candidate.
                if (stack.Count == 0)
                {
                    return false;
                }

                var (call, before) = stack.Pop();
                state = before;
                linearized[call.Index / 64] &= ~(1UL << (call.Index % 64));
                Unlift(call);
                entry = call.Next;
            }
        }

        return true;
    }

    private static void Lift(Node call)
    {
        call.Prev!.Next = call.Next;
        call.Next!.Prev = call.Prev;
        var match = call.Match!;
        match.Prev!.Next = match.Next;
        if (match.Next is not null)
        {
            match.Next.Prev = match.Prev;
        }
    }

    private static void Unlift(Node call)
    {
        var match = call.Match!;
        match.Prev!.Next = match;
        if (match.Next is not null)
        {
            match.Next.Prev = match;
        }

        call.Prev!.Next = call;
        call.Next!.Prev = call;
    }

    private sealed class Node(int index, bool isCall)
    {
        public int Index { get; } = index;

        public bool IsCall { get; } = isCall;

        public Node? Match { get; set; }

        public Node? Prev { get; set; }

        public Node? Next { get; set; }
    }

    /// <param name="Value">For a put the value written, for a get the value it returned (as value ids).</param>
    private readonly record struct OperationStep(bool IsPut, int Value);

    private sealed class SearchState(ulong[] linearized, int register) : IEquatable<SearchState>
    {
        private readonly int _hash = ComputeHash(linearized, register);

        public bool Equals(SearchState? other) =>
            other is not null
            && other._hash == _hash
            && register == other.Register
            && linearized.AsSpan().SequenceEqual(other.Linearized);

        public override bool Equals(object? obj) => Equals(obj as SearchState);

        public override int GetHashCode() => _hash;

        private ulong[] Linearized => linearized;

        private int Register => register;

        private static int ComputeHash(ulong[] bits, int register)
        {
            var hash = new HashCode();
            hash.Add(register);
            foreach (var word in bits)
            {
                hash.Add(word);
            }

            return hash.ToHashCode();
        }
    }
}
