using Cairn.Cli;

return CairnCommandLine.Run(args, CommandLineRunner.StandardConsole(), Console.Error);
