using System.Globalization;

namespace Cairn.Simulation;

/// <summary>Runs many seeds; CAIRN_SIM_SEEDS=N runs more, CAIRN_SIM_SEED=S replays one.</summary>
public static class SeedRunner
{
    public static IReadOnlyList<int> Seeds(int defaultCount, int offset)
    {
        if (
            int.TryParse(
                Environment.GetEnvironmentVariable("CAIRN_SIM_SEED"),
                NumberStyles.Integer,
                CultureInfo.InvariantCulture,
                out var one
            )
        )
        {
            return [one];
        }

        var count =
            int.TryParse(
                Environment.GetEnvironmentVariable("CAIRN_SIM_SEEDS"),
                NumberStyles.Integer,
                CultureInfo.InvariantCulture,
                out var n
            )
            && n > 0
                ? n
                : defaultCount;
        return [.. Enumerable.Range(offset, count)];
    }

    /// <summary>
    /// Runs every seed and returns the failure descriptions (each names its seed), in seed order. Seeds run in
    /// parallel; each cluster is self-contained and single-threaded, so every run stays deterministic.
    /// </summary>
    public static List<string> RunAll(
        IEnumerable<int> seeds,
        int f,
        Func<int, int, SimulationScenario>? generate = null
    ) =>
        [
            .. seeds
                .AsParallel()
                .AsOrdered()
                .Select(seed => new Cluster((generate ?? SimulationScenario.FromSeed)(seed, f)).Run())
                .Where(failure => failure is not null)
                .Select(failure => failure!),
        ];
}
