using AwesomeAssertions;

namespace Cairn.Architecture.Tests;

public sealed class TestPortTests
{
    [Fact]
    public void Two_files_on_one_base_or_overlapping_ranges_collide_and_one_file_may_repeat_its_base()
    {
        TestPortRule
            .Collisions(
                new Dictionary<string, string>
                {
                    ["A.cs"] = "TestPorts.At(7540); TestPorts.At(7540) + 101",
                    ["B.cs"] = "TestPorts.Arg(7540)",
                    ["C.cs"] = "private const int BasePort = 7445;",
                    ["D.cs"] = "TestPorts.At(7700)",
                }
            )
            .Should()
            .BeEquivalentTo(
                "A.cs (7540) and B.cs (7540)",
                "A.cs (7540) and C.cs (7445)",
                "B.cs (7540) and C.cs (7445)"
            );
    }

    [Fact]
    public void No_two_integration_test_files_share_ports()
    {
        var sources = Repository
            .CSharpFiles("tests")
            .Where(path => path.StartsWith("tests/Cairn.IntegrationTests/", StringComparison.Ordinal))
            .ToDictionary(path => path, Repository.Read);
        TestPortRule
            .Collisions(sources)
            .Should()
            .BeEmpty("clusters of different test classes run at the same time: give each its own base port");
    }
}
