using System.CommandLine;
using Skein.Labeling;

namespace Skein.Cli.Commands;

/// <summary><c>skein apply</c>: label a CSV/JSONL file with a rules file into a votes file.</summary>
internal static class ApplyCommand
{
    public static Command Create(CliContext context)
    {
        var data = CommonOptions.Data();
        data.Required = true;
        var textColumn = CommonOptions.TextColumn();
        var rules = CommonOptions.Rules();
        rules.Required = true;
        var output = new Option<FileInfo>("--out", "-o")
        {
            Description = "Votes file to write: .csv (one row per item, -1 = abstain, no header) or .parquet.",
            Required = true,
        };
        var threads = CommonOptions.Threads();
        var faults = CommonOptions.FaultPolicyOption();
        var quiet = CommonOptions.Quiet();

        var command = new Command("apply", "Apply the labeling functions of a rules file to a data file and write the votes.")
        {
            data, textColumn, rules, output, threads, faults, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            var result = RuleApplication.Run(context, parse.GetRequiredValue(data), parse.GetValue(textColumn),
                parse.GetRequiredValue(rules), parse.GetValue(threads), parse.GetValue(faults),
                parse.GetRequiredValue(output).FullName, goldColumn: null);
            var s = result.Summary;
            context.Progress($"wrote {result.RowCount:N0} rows × {s.LabelingFunctions.Count} LFs to {parse.GetRequiredValue(output).FullName} " +
                $"(coverage {s.LabelCoverage:P1}, overlap {s.LabelOverlap:P1}, conflict {s.LabelConflict:P1})");
            ReportFaults(context, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void ReportFaults(CliContext context, RuleApplication.Result result)
    {
        for (int j = 0; j < result.FaultCounts.Count; j++)
        {
            if (result.FaultCounts[j] > 0)
            {
                context.Error.WriteLine($"warning: LF '{result.Summary.LabelingFunctions[j].Name}' failed on {result.FaultCounts[j]:N0} rows (recorded as abstain).");
            }
        }
    }
}

/// <summary>Options shared by several commands, so they are spelled and documented once.</summary>
internal static class CommonOptions
{
    public static Option<FileInfo[]> Data() => new("--data", "-d")
    {
        Description = "Data file(s): .csv, .tsv or .jsonl with a header / keys. Repeat for several files with the same columns.",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<string?> TextColumn() => new("--text-column", "-t")
    {
        Description = "Column holding the text the rules read (overrides the rules file's textColumn).",
    };

    public static Option<FileInfo> Rules() => new("--rules", "-r")
    {
        Description = "Rules file (JSON) declaring the labeling functions; see docs/rules-files.md.",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "Worker threads; -1 = all cores.",
        DefaultValueFactory = _ => -1,
    };

    public static Option<FaultPolicy> FaultPolicyOption() => new("--on-lf-error")
    {
        Description = "When an LF throws: Throw (stop with the LF and row) or Abstain (count the fault, vote -1).",
        DefaultValueFactory = _ => FaultPolicy.Throw,
    };

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "No progress lines on stderr.",
    };
}
