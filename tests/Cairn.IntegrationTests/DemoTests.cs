using AwesomeAssertions;

namespace Cairn.IntegrationTests;

public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_tells_the_whole_story_and_leaves_no_process_or_directory_behind()
    {
        var demo = await CairnProcess.RunAsync("demo", "--blocks", "2000");

        demo.ExitCode.Should().Be(0, demo.Error);
        demo.Output.Should()
            .Contain("2,000 blocks chain to digest")
            .And.Contain("checkpoint_window_size: 20, dbcheckpoint_window: 20, db_checkpoint_duration: 1")
            .And.Contain("400 committed, 0 failed")
            .And.Contain("checkpoints on 4 replicas, at the same sequence numbers")
            .And.Contain("replicas hold checkpoint")
            .And.Contain("same on all")
            .And.Contain("Kill replica 3")
            .And.Contain("Wipe replica 3's disk")
            .And.Contain("Restore replica 3 from replica 0's checkpoint")
            .And.Contain("consensus metadata of replica 0 removed")
            .And.Contain("so it withholds its votes")
            .And.Contain("equal digests: every replica holds the same chain")
            .And.Contain("all replicas wedged at seq")
            .And.Contain("refused: the cluster is wedged")
            .And.Contain("ordering resumed; epoch 1")
            .And.Contain("Export replica 1's checkpoint")
            .And.Contain("✓ quorum certificate")
            .And.Contain("is the agreed state of chain")
            .And.Contain("valid signatures")
            .And.Contain("stopped 4 replica processes")
            .And.Contain("Done in");
        // Its own directory (others may run demos on this machine at the same time) is gone, and so are its replicas.
        var root = System.Text.RegularExpressions.Regex.Match(demo.Output, @"/\S*cairn-demo-[A-Za-z0-9]+").Value;
        root.Should().NotBeEmpty();
        Directory.Exists(root).Should().BeFalse();
        System
            .Diagnostics.Process.GetProcesses()
            .Where(p => CommandLine(p.Id).Contains(root, StringComparison.Ordinal))
            .Should()
            .BeEmpty();
    }

    [Fact]
    public async Task The_demo_with_keep_leaves_its_directory_and_says_how_to_clean_up()
    {
        var demo = await CairnProcess.RunAsync("demo", "--ledger-only", "--blocks", "10", "--keep");

        demo.ExitCode.Should().Be(0, demo.Error);
        var kept = demo
            .Output.Split('\n')
            .Single(l => l.StartsWith("Kept ", StringComparison.Ordinal))["Kept ".Length..]
            .Trim()
            .TrimEnd('.');
        Directory.Exists(kept).Should().BeTrue();
        Directory.Delete(kept, recursive: true);
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
