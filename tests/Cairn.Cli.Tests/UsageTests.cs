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

    /// <summary>Every whole-number option of every command, given a word.</summary>
    public static TheoryData<string, string> EveryWholeNumberOption() =>
        [
            .. Commands()
                .SelectMany(c =>
                    c.Command.Options.Where(o =>
                            (Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType) is var t
                            && (t == typeof(int) || t == typeof(long) || t == typeof(ulong))
                        )
                        .Select(o => (c.Path, o.Name))
                ),
        ];

    [Theory]
    [MemberData(nameof(EveryWholeNumberOption))]
    public void A_word_for_a_whole_number_option_is_refused_without_naming_a_dotnet_type(string command, string option)
    {
        var run = CliRun.Of([.. command.Split(' '), option, "x"]);

        run.ExitCode.Should().NotBe(0);
        run.Error.Should().StartWith("error: ").And.NotContain("System.").And.NotContain("   at ");
    }

    [Theory]
    [InlineData(
        "backup --cluster D --to T --replica x",
        "--replica 'x' is not a whole number from -2147483648 to 2147483647"
    )]
    [InlineData(
        "restore --replica 1 --cluster D --checkpoint x",
        "--checkpoint 'x' is not a whole number from 0 to 18446744073709551615"
    )]
    [InlineData(
        "checkpoint list --cluster D --replica x",
        "--replica 'x' is not a whole number from -2147483648 to 2147483647"
    )]
    [InlineData("demo --blocks 99999999999", "--blocks '99999999999' is not a whole number from 1 to 10000000")]
    [InlineData("op wedge stop --cluster D --timeout abc", "--timeout 'abc' is not a whole number from 0 to 86400")]
    public void A_value_that_is_not_a_whole_number_in_range_is_refused_with_the_range(string line, string message)
    {
        var run = CliRun.Of(line.Split(' '));

        run.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        run.Error.Should().StartWith($"error: {message}\n");
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

    /// <summary>Every command with a <c>--timeout</c>.</summary>
    public static TheoryData<string> EveryCommandWithATimeout() =>
        [.. Commands().Where(c => c.Command.Options.Any(o => o.Name == "--timeout")).Select(c => c.Path)];

    [Theory]
    [MemberData(nameof(EveryCommandWithATimeout))]
    public void Every_timeout_out_of_range_is_refused_with_the_range_before_anything_runs(string command)
    {
        foreach (var seconds in new[] { "-1", "86401" })
        {
            // A cluster directory that does not exist: the range is refused before anything is read.
            string[] where = command.StartsWith("op ", StringComparison.Ordinal) ? ["--cluster", "D"] : ["--dir", "D"];
            var run = CliRun.Of([.. command.Split(' '), .. where, "--timeout", seconds]);

            run.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
            run.Error.Should().Contain("--timeout must be between 0 and 86400 seconds").And.NotContain("   at ");
        }
    }

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

        run.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        run.Error.Should().Contain("--no-such-option").And.Contain($"usage: cairn {command}").And.NotContain("   at ");
    }

    [Theory]
    [MemberData(nameof(EveryCommandThatRequiresSomething))]
    public void Every_command_missing_what_it_requires_says_so_with_its_usage_line(string command)
    {
        var run = CliRun.Of(command.Split(' '));

        run.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
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
