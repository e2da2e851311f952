using AwesomeAssertions;

namespace Cairn.Cli.Tests;

public sealed class UsageTests
{
    [Fact]
    public void An_unknown_command_prints_what_was_wrong_and_a_usage_line_without_a_stack_trace()
    {
        var run = CliRun.Of("frobnicate");
        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("frobnicate").And.Contain("usage: cairn").And.NotContain("   at ");
    }

    [Fact]
    public void A_non_numeric_option_value_names_the_option()
    {
        var run = CliRun.Of("demo", "--blocks", "many");
        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("many").And.Contain("usage: cairn demo");
    }
}
