using Skein.Cli;

return SkeinApp.Run(args, Console.Out, Console.Error);
