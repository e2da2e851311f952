using System.Text.RegularExpressions;

namespace Cairn.Architecture.Tests;

/// <summary>
/// The integration tests' clusters run side by side (tests/Cairn.IntegrationTests/AssemblyInfo.cs), each on the
/// ports from a base it names in its source (<c>TestPorts.At(7500)</c>, <c>TestPorts.Arg(7540)</c>,
/// <c>BasePort = 7590</c>): the replicas on base to base + <see cref="Span"/> − 1, their metrics 100 above. Tests in
/// one class run one after the other, so a base may repeat within a file; two files whose ranges overlap can collide
/// at run time, and a replica then presents another cluster's certificate.
/// </summary>
public static partial class TestPortRule
{
    /// <summary>Ports a cluster takes from its base, for replicas and again for their metrics (up to 10
    /// replicas).</summary>
    public const int Span = 10;

    /// <summary>Each pair of files whose port ranges overlap, as "A (7540) and B (7540)" with the files'
    /// paths.</summary>
    public static IReadOnlyList<string> Collisions(IReadOnlyDictionary<string, string> sources)
    {
        var bases = sources
            .SelectMany(file =>
                BasePattern()
                    .Matches(file.Value)
                    .Select(m =>
                        (
                            File: file.Key,
                            Base: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                        )
                    )
            )
            .Distinct()
            .ToList();
        return
        [
            .. from a in bases
            from b in bases
            where string.CompareOrdinal(a.File, b.File) < 0 && Overlap(a.Base, b.Base)
            select $"{a.File} ({a.Base}) and {b.File} ({b.Base})",
        ];
    }

    private static bool Overlap(int a, int b) =>
        new[] { a, a + 100 }.Any(x => new[] { b, b + 100 }.Any(y => Math.Abs(x - y) < Span));

    [GeneratedRegex(@"(?:TestPorts\.(?:At|Arg)\(|BasePort = )(\d{4,5})")]
    private static partial Regex BasePattern();
}
