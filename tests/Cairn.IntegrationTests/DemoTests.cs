using AwesomeAssertions;

namespace Cairn.IntegrationTests;

public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_tells_the_whole_story_and_leaves_no_process_or_directory_behind()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "cairn-demo-*").Length;

        var demo = await CairnProcess.RunAsync("demo", "--blocks", "2000");

        demo.ExitCode.Should().Be(0, demo.Error);
        demo.Output.Should().Contain("2,000 blocks chain to digest")
            .And.Contain("Kill replica 3")
            .And.Contain("1,000 committed, 0 failed")
            .And.Contain("equal digests: every replica holds the same chain")
            .And.Contain("Done in");
        Directory.GetDirectories(Path.GetTempPath(), "cairn-demo-*").Length.Should().Be(before);
        System.Diagnostics.Process.GetProcesses().Where(p => CommandLine(p.Id).Contains("cairn-demo-", StringComparison.Ordinal)).Should().BeEmpty();
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
