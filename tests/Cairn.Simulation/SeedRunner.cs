using System.Globalization;

namespace Cairn.Simulation;

/// <summary>Runs many seeds; CAIRN_SIM_SEEDS=N runs more, CAIRN_SIM_SEED=S replays one.</summary>
public static class SeedRunner
{
    public static IReadOnlyList<int> Seeds(int defaultCount, int offset)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("CAIRN_SIM_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var one))
        {
            return [one];
        }

        var count = int.TryParse(Environment.GetEnvironmentVariable("CAIRN_SIM_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : defaultCount;
        return [.. Enumerable.Range(offset, count)];
    }

    /// <summary>Runs every seed and returns the failure descriptions (each names its seed).</summary>
    public static List<string> RunAll(IEnumerable<int> seeds, int f, Func<SimulationScenario, SimulationScenario>? adjust = null)
    {
        var failures = new List<string>();
        foreach (var seed in seeds)
        {
            var scenario = SimulationScenario.FromSeed(seed, f);
            if (adjust is not null)
            {
                scenario = adjust(scenario);
            }

            var failure = new Cluster(scenario).Run();
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        return failures;
    }
}
