using System.Globalization;
using System.Text;
using Cairn.FaultTests.Checker;

namespace Cairn.FaultTests.Scenarios;

/// <summary>What one scenario run measured and concluded.</summary>
internal sealed record ScenarioReport(
    string Name,
    int Seed,
    int Attempted,
    int Succeeded,
    int Failed,
    int Unknown,
    TimeSpan LongestUnavailability,
    LinearizabilityVerdict Verdict,
    long HistoryOrigin,
    string ConvergedOn,
    int CheckpointsVerified,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Steps
)
{
    public bool Passed => Verdict.Linearizable && Problems.Count == 0;

    /// <summary>One row of the table in docs/reliability.md.</summary>
    public string MarkdownRow() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"| {Name} | {Seed} | {Attempted} | {Succeeded} | {Failed} | {Unknown} | "
                + $"{LongestUnavailability.TotalSeconds:0.0} s | "
                + $"{(Verdict.Linearizable ? "linearizable" : "**violation**")} | {ConvergedOn} | "
                + $"{CheckpointsVerified} | "
                + $"{(Passed ? "pass" : "**FAIL**: " + string.Join("; ", Problems).Replace('|', '/'))} |"
        );

    /// <summary>Everything needed to understand and replay a failure.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"scenario '{Name}' seed {Seed}: {Attempted} operations ({Succeeded} ok, {Failed} failed, {Unknown} "
                + $"unknown), longest unavailability {LongestUnavailability.TotalSeconds:0.0} s, converged on "
                + $"{ConvergedOn}, {CheckpointsVerified} checkpoints verified"
        );
        text.AppendLine(Verdict.Describe(HistoryOrigin));
        foreach (var problem in Problems)
        {
            text.AppendLine("problem: " + problem);
        }

        text.AppendLine("steps:");
        foreach (var step in Steps)
        {
            text.AppendLine("  " + step);
        }

        return text.ToString();
    }
}
