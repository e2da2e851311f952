using System.CommandLine;
using AwesomeAssertions;
using Spectre.Console;

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

    /// <summary>Every command, with placeholder values for its positional arguments (so an unknown option after them
    /// cannot be taken for one).</summary>
    public static TheoryData<string, string[]> EveryCommand() =>
        [
            .. Commands()
                .Select(c =>
                    (
                        c.Path,
                        c.Command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0).Select(_ => "x").ToArray()
                    )
                ),
        ];

    /// <summary>The commands that cannot run bare: groups, and commands with a required option or argument.</summary>
    public static TheoryData<string> EveryCommandThatRequiresSomething() =>
        [
            .. Commands()
                .Where(c =>
                    c.Command.Subcommands.Count > 0
                    || c.Command.Options.Any(o => o.Required)
                    || c.Command.Arguments.Any(a => a.Arity.MinimumNumberOfValues > 0)
                )
                .Select(c => c.Path),
        ];

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public void Every_command_refuses_an_unknown_option_with_what_was_wrong_and_its_usage_line(
        string command,
        string[] arguments
    )
    {
        var run = CliRun.Of([.. command.Split(' '), .. arguments, "--no-such-option"]);

        run.ExitCode.Should().Be(CairnCommandLine.UsageExitCode);
        run.Error.Should().Contain("--no-such-option").And.Contain($"usage: cairn {command}").And.NotContain("   at ");
    }

    [Theory]
    [MemberData(nameof(EveryCommandThatRequiresSomething))]
    public void Every_command_missing_what_it_requires_says_so_with_its_usage_line(string command)
    {
        var run = CliRun.Of(command.Split(' '));

        run.ExitCode.Should().Be(CairnCommandLine.UsageExitCode);
        run.Error.Should().StartWith("error: ").And.Contain($"usage: cairn {command}").And.NotContain("   at ");
    }

    /// <summary>Every command of the tree, by its path ("op wedge stop").</summary>
    private static IEnumerable<(string Path, Command Command)> Commands()
    {
        var root = CairnCommandLine.Create(
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) })
        );
        return Walk(root, "");

        static IEnumerable<(string, Command)> Walk(Command command, string path) =>
            command.Subcommands.SelectMany(sub =>
            {
                var subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                return Walk(sub, subPath).Prepend((subPath, sub));
            });
    }
}
