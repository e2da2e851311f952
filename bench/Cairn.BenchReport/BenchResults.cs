using System.Text.Json.Nodes;

namespace Cairn.BenchReport;

/// <summary>The raw results of one run of bench/run-all.sh, as the benchmarks wrote them.</summary>
internal sealed record BenchResults(
    string Directory,
    string Machine,
    JsonNode CheckpointSizes,
    JsonNode? FinaliseSizes,
    IReadOnlyList<DipRound> DipRounds,
    JsonNode CheckpointLatency,
    JsonNode Restore,
    ClusterResults Cluster,
    string LedgerAppendTable
)
{
    public static BenchResults Load(string directory)
    {
        JsonNode Read(string name) =>
            JsonNode.Parse(File.ReadAllText(Path.Combine(directory, name)))
            ?? throw new InvalidDataException($"{Path.Combine(directory, name)}: empty");
        var rounds = new List<DipRound>();
        for (var round = 1; File.Exists(Path.Combine(directory, $"dip-none-{round}.json")); round++)
        {
            rounds.Add(
                new DipRound(
                    round,
                    Read($"dip-none-{round}.json"),
                    Read($"dip-every-second-{round}.json"),
                    Read($"dip-every-second-{round}-checkpoints.json")
                )
            );
        }

        if (rounds.Count == 0)
        {
            throw new InvalidDataException($"{directory}: no dip-none-1.json (bench/checkpoint-dip.sh did not run)");
        }

        var ledgerTable =
            System.IO.Directory.GetFiles(directory, "*LedgerAppendBenchmarks-report-github.md").SingleOrDefault()
            ?? throw new InvalidDataException($"{directory}: no LedgerAppendBenchmarks report");
        return new BenchResults(
            directory,
            File.ReadAllText(Path.Combine(directory, "machine.txt")).TrimEnd(),
            Read("checkpoint-sizes.json"),
            File.Exists(Path.Combine(directory, "finalise-sizes.json")) ? Read("finalise-sizes.json") : null,
            rounds,
            Read("checkpoint-latency.json"),
            Read("restore.json"),
            ClusterResults.Load(Read),
            File.ReadAllText(ledgerTable).Trim()
        );
    }
}
