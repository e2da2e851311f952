using System.Text;
using Cairn.FaultTests.History;

namespace Cairn.FaultTests.Checker;

/// <summary>A key whose history is not linearizable, with a small sub-history that is not either (closed under
/// reads-from, so it proves the whole history wrong), or <see cref="Inconclusive"/> when the search ran out of
/// budget.</summary>
public sealed record Violation(string Key, IReadOnlyList<Operation> Witness, bool Inconclusive)
{
    public string Describe(long origin)
    {
        var text = new StringBuilder(
            Inconclusive
                ? $"key {Key}: the search gave up ({Witness.Count} operations); not proven linearizable\n"
                : $"key {Key}: not linearizable; a minimal violating sub-history ({Witness.Count} operations):\n"
        );
        foreach (var operation in Witness.OrderBy(o => o.InvokedAt))
        {
            text.Append("  ").AppendLine(operation.Describe(origin, HistoryRecorder.TicksPerMillisecond));
        }

        return text.ToString();
    }
}
