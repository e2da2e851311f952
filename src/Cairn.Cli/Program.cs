using Cairn.Cli;
using Spectre.Console;

return CairnCommandLine.Run(args, AnsiConsole.Console, Console.Error);
