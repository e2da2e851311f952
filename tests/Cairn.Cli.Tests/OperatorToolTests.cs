extern alias OperatorTool;
using System.CommandLine;
using AwesomeAssertions;
using Spectre.Console;
using OperatorToolCommandLine = OperatorTool::Cairn.OperatorTool.OperatorToolCommandLine;

namespace Cairn.Cli.Tests;

/// <summary>The operator tool (<c>cairn-op</c>): the commands of <c>cairn op</c>, at the top of its own tree.</summary>
public sealed class OperatorToolTests
{
    private static readonly IAnsiConsole Silent = AnsiConsole.Create(
        new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }
    );

    [Fact]
    public void The_operator_tool_has_every_command_and_option_of_cairn_op_and_nothing_else()
    {
        var op = CairnCommandLine.Create(Silent).Subcommands.Single(c => c.Name == "op");
        var tool = OperatorToolCommandLine.Create(Silent);

        Shape(tool).Should().Equal(Shape(op));
        Shape(tool)
            .Should()
            .Contain("dbCheckpoint create --cluster --config --json --key --no-wait --passphrase-file --timeout");
    }

    [Fact]
    public void A_command_line_that_does_not_parse_gets_the_usage_line_of_the_operator_tool()
    {
        var error = new StringWriter();

        var exitCode = OperatorToolCommandLine.Run(
            ["dbCheckpoint", "create", "--cluster", "c", "--timeout", "-3"],
            Silent,
            error
        );

        exitCode.Should().Be(CommandLineRunner.UsageExitCode);
        error
            .ToString()
            .Should()
            .StartWith("error: --timeout must be between 0 and 86400 seconds")
            .And.Contain("usage: cairn-op dbCheckpoint create [options] (see 'cairn-op dbCheckpoint create --help')");
    }

    [Fact]
    public void A_failing_command_is_one_line_and_the_failure_exit_code()
    {
        var error = new StringWriter();

        var exitCode = OperatorToolCommandLine.Run(
            ["wedge", "status", "--cluster", Path.Combine(Path.GetTempPath(), "cairn-no-such-cluster")],
            Silent,
            error
        );

        exitCode.Should().Be(CommandLineRunner.FailureExitCode);
        error.ToString().Should().StartWith("error: ").And.Contain("cairn-no-such-cluster").And.NotContain("   at ");
        error.ToString().TrimEnd().Should().NotContain("\n");
    }

    /// <summary>Every command below <paramref name="root"/> by its path, with its options' names, sorted.</summary>
    private static List<string> Shape(Command root)
    {
        var shape = new List<string>();
        Walk(root, "");
        shape.Sort(StringComparer.Ordinal);
        return shape;

        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands)
            {
                var subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                var options = sub
                    .Options.Select(o => o.Name)
                    .Where(n => n is not "--help")
                    .Order(StringComparer.Ordinal);
                shape.Add(string.Join(' ', [subPath, .. options]));
                Walk(sub, subPath);
            }
        }
    }
}
