using AwesomeAssertions;

namespace Cairn.Architecture.Tests;

public sealed class LineLengthTests
{
    private static readonly string[] Folders = ["src", "tests", "bench"];

    [Fact]
    public void A_line_counts_as_long_only_past_120_columns_of_characters_not_bytes()
    {
        LineLengthRule
            .Violations("A.cs", new string('x', 120) + "\n" + new string('≥', 120) + "\r\n")
            .Should()
            .BeEmpty();
        LineLengthRule
            .Violations("A.cs", "short\n" + new string('x', 121) + "\r\n" + new string('→', 122))
            .Should()
            .Equal("A.cs:2: 121 columns (at most 120)", "A.cs:3: 122 columns (at most 120)");
    }

    [Fact]
    public void No_csharp_line_is_wider_than_120_columns()
    {
        Repository
            .CSharpFiles(Folders)
            .SelectMany(path => LineLengthRule.Violations(path, Repository.Read(path)))
            .Should()
            .BeEmpty(
                "lines are at most {0} columns: run 'csharpier format .', then wrap comments and strings",
                LineLengthRule.MaxColumns
            );
    }
}
