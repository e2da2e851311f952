using Cairn.Cli;
using Cairn.OperatorTool;

return OperatorToolCommandLine.Run(args, CommandLineRunner.StandardConsole(), Console.Error);
