using AwesomeAssertions;

namespace Cairn.Architecture.Tests;

public sealed class LineLengthTests
{
    private static readonly string[] Folders = ["src", "tests", "bench"];

    [Fact]
    public void A_line_counts_as_long_only_past_120_columns_of_characters_not_bytes()
    {
        LineLengthRule.LongLineCount(new string('x', 120) + "\n" + new string('≥', 120) + "\r\n").Should().Be(0);
        LineLengthRule.LongLineCount("short\n" + new string('x', 121) + "\r\n" + new string('→', 121)).Should().Be(2);
    }

    [Fact]
    public void A_planted_long_line_fails_in_a_new_file_and_when_a_file_grows_past_its_baseline()
    {
        var baseline = LineLengthRule.ParseBaseline("# header\nsrc/A.cs:2\n\n");
        var planted = new Dictionary<string, int> { ["src/A.cs"] = 3, ["src/B.cs"] = 1, ["src/C.cs"] = 0 };

        LineLengthRule.Violations(planted, baseline).Should().Equal(
            "src/A.cs: 3 lines over 120 columns, 2 allowed by " + LineLengthRule.BaselinePath,
            "src/B.cs: 1 lines over 120 columns, 0 allowed by " + LineLengthRule.BaselinePath);
        LineLengthRule.Violations(new Dictionary<string, int> { ["src/A.cs"] = 1 }, baseline)
            .Should().BeEmpty("fewer long lines is fine");
    }

    [Fact]
    public void The_baseline_round_trips_and_a_malformed_line_is_named()
    {
        var counts = new Dictionary<string, int> { ["tests/X.cs"] = 4, ["src/Y.cs"] = 1, ["src/Z.cs"] = 0 };
        LineLengthRule.ParseBaseline(LineLengthRule.FormatBaseline(counts)).Should().BeEquivalentTo(
            new Dictionary<string, int> { ["tests/X.cs"] = 4, ["src/Y.cs"] = 1 });

        var parse = () => LineLengthRule.ParseBaseline("src/A.cs:2\nsrc/B.cs\n");
        parse.Should().Throw<FormatException>()
            .WithMessage("*line-length-baseline.txt:2: 'src/B.cs' is not 'path:count'*");
    }

    [Fact]
    public void No_csharp_file_has_more_long_lines_than_the_baseline_allows()
    {
        var current = Repository.CSharpFiles(Folders)
            .ToDictionary(path => path, path => LineLengthRule.LongLineCount(Repository.Read(path)));
        if (Environment.GetEnvironmentVariable(LineLengthRule.UpdateVariable) == "1")
        {
            var baselineFile = Path.Combine(Repository.Root, LineLengthRule.BaselinePath);
            File.WriteAllText(baselineFile, LineLengthRule.FormatBaseline(current));
        }

        var baseline = LineLengthRule.ParseBaseline(Repository.Read(LineLengthRule.BaselinePath));
        LineLengthRule.Violations(current, baseline).Should().BeEmpty(
            "wrap the new long lines, or (after wrapping old ones) remake the baseline with {0}=1",
            LineLengthRule.UpdateVariable);
    }
}
