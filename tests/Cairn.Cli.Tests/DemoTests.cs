using AwesomeAssertions;

namespace Cairn.Cli.Tests;

public sealed class DemoTests
{
    [Fact]
    public void The_ledger_act_appends_checkpoints_and_verifies_then_cleans_up()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "cairn-demo-*").Length;

        var run = CliRun.Of("demo", "--blocks", "300", "--ledger-only");

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should()
            .Contain("Append 300 hash-chained blocks")
            .And.Contain("holds blocks 1..300")
            .And.Contain("the live ledger is now at block 400")
            .And.Contain("300 blocks chain to digest")
            .And.NotContain("Act 2");
        Directory.GetDirectories(Path.GetTempPath(), "cairn-demo-*").Length.Should().Be(before);
    }

    [Fact]
    public void A_block_count_out_of_range_is_refused_before_anything_is_created()
    {
        var run = CliRun.Of("demo", "--blocks", "0");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("--blocks must be between 1 and 10000000");
    }
}
