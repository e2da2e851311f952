using AwesomeAssertions;

namespace Cairn.Architecture.Tests;

public sealed class CitedFileTests
{
    private static readonly string[] Files =
    [
        "README.md",
        "test.sh",
        "docs/design.md",
        "docs/architecture.md",
        "src/Cairn.Backup/DbCheckpointManager.cs",
        "src/Cairn.Backup/DbCheckpointManager.Finalise.cs",
        "src/Cairn.Consensus/Replica.Restore.cs",
    ];

    [Fact]
    public void A_planted_comment_citing_a_missing_file_fails_on_its_line()
    {
        const string planted = """
            // The protocol is in DESIGN.md §3 and docs/foo.md.
            /// <summary>See docs/design.md and src/Cairn.Backup/Missing.cs.</summary>
            public sealed class Cites
            {
                private const string NotAComment = "NOTES.md";
            }
            """;

        CitedFileRule
            .Violations("Cites.cs", planted, Files)
            .Should()
            .Equal(
                "Cites.cs:1: cites DESIGN.md, which is not in the repository",
                "Cites.cs:1: cites docs/foo.md, which is not in the repository",
                "Cites.cs:2: cites src/Cairn.Backup/Missing.cs, which is not in the repository"
            );
    }

    [Theory]
    [InlineData("docs/design.md", true)]
    [InlineData("./test.sh", true)]
    [InlineData("design.md", true)]
    [InlineData("../../docs/architecture.md", true)]
    [InlineData("src/Cairn.Backup/DbCheckpointManager*.cs", true)]
    [InlineData("src/Cairn.Backup", true)]
    [InlineData("Replica.Restore.cs", true)]
    [InlineData("DESIGN.md", false)]
    [InlineData("docs/reliability.md", false)]
    [InlineData("Restore.cs", false)]
    [InlineData("src/Cairn.Backup/Retention*.cs", false)]
    public void A_citation_names_a_file_or_folder_of_the_repository_by_path_or_name(string cited, bool held) =>
        CitedFileRule.Holds(Files, cited).Should().Be(held);

    [Fact]
    public void Runtime_file_names_are_not_citations_but_repository_paths_and_markdown_are()
    {
        const string comments = """
            // Writes checkpoint.json and reads D/replica-N/deployment.config; see ./test.sh, bench/run-all.sh and
            // troubleshooting.md#a-replica (Replica.Restore.cs).
            """;

        CitedFileRule
            .CitationsIn(comments)
            .Select(c => c.Cited)
            .Should()
            .BeEquivalentTo(["./test.sh", "bench/run-all.sh", "troubleshooting.md", "Replica.Restore.cs"]);
    }

    [Fact]
    public void Every_file_a_comment_cites_is_in_the_repository()
    {
        var files = Repository.Files();
        var sources = Repository.CSharpFiles("src", "tests", "bench");

        sources.Should().NotBeEmpty();
        sources.SelectMany(path => CitedFileRule.Violations(path, Repository.Read(path), files)).Should().BeEmpty();
    }
}
