using System.Globalization;

namespace Cairn.FaultTests.Scenarios;

/// <summary>The campaign's switches: <c>CAIRN_FAULTS=1</c> runs the full scenarios (the default suite runs the smoke
/// run only); <c>CAIRN_FAULTS_SEED</c> replays a run (otherwise each scenario draws a seed and prints it).</summary>
public static class Campaign
{
    /// <summary>The one base port of every fault cluster: scenarios run one at a time (see AssemblyInfo.cs).</summary>
    public const int BasePort = 8100;

    public static bool Full => Environment.GetEnvironmentVariable("CAIRN_FAULTS") == "1";

    /// <summary>The seed of a scenario run.</summary>
    public static int Seed() =>
        int.TryParse(
            Environment.GetEnvironmentVariable("CAIRN_FAULTS_SEED"),
            NumberStyles.Integer,
            CultureInfo.InvariantCulture,
            out var seed
        )
            ? seed
            : Random.Shared.Next(1, 1_000_000);
}
