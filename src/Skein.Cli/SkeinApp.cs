using System.CommandLine;
using Skein.Cli.Commands;
using Skein.IO;
using Skein.Labeling;
using Skein.Labeling.Rules;

namespace Skein.Cli;

/// <summary>The <c>skein</c> command line: parses, dispatches, and maps failures to exit codes.</summary>
public static class SkeinApp
{
    /// <summary>Runs the command line and returns the process exit code (0 ok, 1 data error, 2 usage error).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = new CliContext(output, error);
        // A plain command named "skein" rather than RootCommand, whose name would be the assembly's (Skein.Cli).
        var root = new Command("skein", "Skein: weak supervision for .NET. Apply labeling functions, analyze label matrices.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            ApplyCommand.Create(context),
            AnalyzeCommand.Create(context),
            WrenchCommand.Create(context),
            FitCommand.Create(context),
            TrainCommand.Create(context),
            PredictCommand.Create(context),
            FindLabelErrorsCommand.Create(context),
            DemoCommand.Create(context),
            W2sCommand.Create(context),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }

            error.WriteLine("Run 'skein --help' for usage.");
            return ExitCodes.UsageError;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (Exception e) when (IsDataError(e))
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.DataError;
        }
    }

    private static bool IsDataError(Exception e) => e is DataFormatException or RuleSetException or LabelingFunctionException
        or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException or ArgumentException
        or OperationCanceledException or InvalidDataException or Skein.Transformers.TrainingDivergedException;
}
