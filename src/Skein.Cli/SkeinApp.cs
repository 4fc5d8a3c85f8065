using System.CommandLine;
using Skein.Cli.Commands;

namespace Skein.Cli;

/// <summary>The <c>skein</c> command line: parses, dispatches, and maps failures to exit codes.</summary>
public static class SkeinApp
{
    /// <summary>
    /// Runs the command line and returns the process exit code: 0 ok, 1 data error, 2 usage error, 3 internal error.
    /// Never throws: every exception becomes one line on <paramref name="error"/> and an exit code.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        bool verbose = args.Contains("--verbose", StringComparer.Ordinal);
        try
        {
            return RunCore(args, output, error, out verbose);
        }
        catch (Exception e)
        {
            return ErrorReport.Write(e, error, verbose);
        }
    }

    private static int RunCore(string[] args, TextWriter output, TextWriter error, out bool verbose)
    {
        verbose = args.Contains("--verbose", StringComparer.Ordinal);
        var context = new CliContext(output, error);
        var verboseOption = new Option<bool>("--verbose")
        {
            Description = "On an error, also print the exception's stack trace.",
            Recursive = true,
        };
        var encodingOption = new Option<string>("--encoding")
        {
            Description = $"Encoding of data and rules files: auto (a byte-order mark, else strict UTF-8), {string.Join(", ", Skein.IO.TextEncodings.Names)}.",
            DefaultValueFactory = _ => "auto",
            Recursive = true,
        };

        // A plain command named "skein" rather than RootCommand, whose name would be the assembly's (Skein.Cli).
        var root = new Command("skein", "Skein: weak supervision for .NET. Apply labeling functions, analyze label matrices.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            verboseOption,
            encodingOption,
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
        OptionChecks.Attach(root);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                error.WriteLine($"error: {Friendly(e.Message)}");
            }

            error.WriteLine("Run 'skein --help' for usage.");
            return ExitCodes.UsageError;
        }

        verbose = parsed.GetValue(verboseOption);
        try
        {
            context.Encoding = Skein.IO.TextEncodings.FromName(parsed.GetValue(encodingOption));
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: --encoding: {e.Message.Split(" (Parameter", 2)[0]}");
            return ExitCodes.UsageError;
        }

        // Before any work: no output may be an input, a link, a special file, or in a folder that cannot be written.
        // Skipped for --help and --version, which run instead of the command (and may lack its required options).
        if (ReferenceEquals(parsed.Action, parsed.CommandResult.Command.Action))
        {
            OutputChecks.Check(parsed);
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>The parser's type-conversion message in CLI words: "--out: '' is not a file path" rather than .NET type names.</summary>
    internal static string Friendly(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message,
            @"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'\.?$",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        if (!m.Success)
        {
            return message;
        }

        var type = m.Groups["type"].Value;
        var kind = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "an integer"
            : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : type.Contains("FileInfo", StringComparison.Ordinal) ? "a file path"
            : type.Contains("DirectoryInfo", StringComparison.Ordinal) ? "a folder path"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : "a valid value";
        return $"{m.Groups["option"].Value} must be {kind}, not '{m.Groups["value"].Value}'.";
    }
}
