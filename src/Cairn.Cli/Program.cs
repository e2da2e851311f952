using Cairn.Cli;
using Spectre.Console;

// Redirected output has no terminal width: use a wide one so tables and digests are not wrapped for scripts and logs.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Console.Profile.Width = 200;
}

return CairnCommandLine.Run(args, AnsiConsole.Console, Console.Error);
