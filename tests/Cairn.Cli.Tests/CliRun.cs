using Spectre.Console;

namespace Cairn.Cli.Tests;

/// <summary>Runs the <c>cairn</c> command tree in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            }
        );
        console.Profile.Width = 160;
        var exitCode = CairnCommandLine.Run(args, console, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
