using AwesomeAssertions;

namespace Cairn.Architecture.Tests;

public sealed class ProjectReferenceTests
{
    private const string ClientReferencingConsensus = """
        <Project Sdk="Microsoft.NET.Sdk">
          <ItemGroup>
            <PackageReference Include="Grpc.Net.Client" />
            <ProjectReference Include="..\Cairn.Core\Cairn.Core.csproj" />
            <ProjectReference Include="..\Cairn.Consensus\Cairn.Consensus.csproj" />
          </ItemGroup>
        </Project>
        """;

    [Fact]
    public void A_planted_reference_outside_the_allowed_graph_fails_and_names_the_projects()
    {
        var references = new Dictionary<string, IReadOnlyList<string>>
        {
            ["Cairn.Client"] = ProjectReferenceRule.ReferencesIn(ClientReferencingConsensus),
            ["Cairn.Core"] = ["Cairn.Ledger"],
            ["Cairn.Mystery"] = [],
        };

        ProjectReferenceRule
            .Violations(references, ProjectReferenceRule.Allowed)
            .Should()
            .Equal(
                "Cairn.Client references Cairn.Consensus; it may reference only: "
                    + "Cairn.ClientProtocol, Cairn.Core, Cairn.Operator, Cairn.Protocol",
                "Cairn.Core references Cairn.Ledger; it may reference only: no project",
                "Cairn.Mystery is not in the allowed reference graph (add it to ProjectReferenceRule.Allowed)"
            );
    }

    [Fact]
    public void The_allowed_graph_keeps_the_layering_rules_even_through_indirect_references()
    {
        var allowed = ProjectReferenceRule.Allowed;
        ProjectReferenceRule.Closure("Cairn.Core", allowed).Should().BeEmpty();
        ProjectReferenceRule
            .Closure("Cairn.Consensus", allowed)
            .Should()
            .BeSubsetOf(["Cairn.Core", "Cairn.ClientProtocol"]);
        ProjectReferenceRule.Closure("Cairn.Client", allowed).Should().NotContain(["Cairn.Node", "Cairn.Consensus"]);
        ProjectReferenceRule.Closure("Cairn.Backup", allowed).Should().NotContain("Cairn.Node");
    }

    [Fact]
    public void Every_project_under_src_references_only_what_the_allowed_graph_permits()
    {
        var projects = Repository
            .Files()
            .Where(path => path.StartsWith("src/", StringComparison.Ordinal))
            .Where(path => path.EndsWith(".csproj", StringComparison.Ordinal))
            .ToDictionary(
                path => Path.GetFileNameWithoutExtension(path),
                path => ProjectReferenceRule.ReferencesIn(Repository.Read(path))
            );

        projects.Should().ContainKeys("Cairn.Core", "Cairn.Consensus", "Cairn.Client", "Cairn.Backup", "Cairn.Node");
        ProjectReferenceRule.Violations(projects, ProjectReferenceRule.Allowed).Should().BeEmpty();
    }
}
