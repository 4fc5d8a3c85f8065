using System.CommandLine;
using Skein.Analysis;
using Skein.Cli.Report;
using Skein.Data;
using Skein.IO;

namespace Skein.Cli.Commands;

/// <summary>Output formats of the analysis.</summary>
internal enum OutputFormat
{
    /// <summary>A table for people.</summary>
    Table,

    /// <summary>One CSV row per LF.</summary>
    Csv,

    /// <summary>One JSON object for machines.</summary>
    Json,
}

/// <summary>
/// <c>skein analyze</c>: LF analysis (polarity, coverage, overlaps, conflicts, empirical accuracy) of a WRENCH
/// file, a votes file (with optional gold), or a data file labeled on the fly by a rules file.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliContext context)
    {
        var wrench = new Option<FileInfo?>("--wrench", "-w") { Description = "WRENCH JSON file ({\"id\": {\"label\", \"weak_labels\", \"data\"}})." };
        var votes = new Option<FileInfo?>("--votes", "-v") { Description = "Votes CSV: one row per item, ints, -1 = abstain, no header." };
        var gold = new Option<FileInfo?>("--gold", "-g") { Description = "Gold labels for --votes: one int per line, -1 = unknown." };
        var cardinality = new Option<int?>("--cardinality", "-k") { Description = "Number of classes (default: largest vote or label + 1)." };
        var data = CommonOptions.Data();
        var textColumn = CommonOptions.TextColumn();
        var rules = CommonOptions.Rules();
        var goldColumn = new Option<string?>("--gold-column") { Description = "With --data: column holding gold labels (class index or class name)." };
        var threads = CommonOptions.Threads();
        var format = new Option<OutputFormat>("--format", "-f") { Description = "table, csv or json.", DefaultValueFactory = _ => OutputFormat.Table };
        var report = new Option<FileInfo?>("--report") { Description = "Also write a self-contained HTML report (tables and charts) to this file." };
        var quiet = CommonOptions.Quiet();

        var command = new Command("analyze", "Per-LF coverage, overlaps, conflicts and (with gold) empirical accuracy, with Snorkel's LFAnalysis semantics.")
        {
            wrench, votes, gold, cardinality, data, textColumn, rules, goldColumn, threads, format, report, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            var given = new[] { parse.GetValue(wrench) is not null, parse.GetValue(votes) is not null, parse.GetValue(data) is { Length: > 0 } };
            if (given.Count(g => g) != 1)
            {
                throw new UsageException("give exactly one of --wrench FILE, --votes FILE or --data FILE --rules RULES.");
            }

            if (parse.GetValue(gold) is not null && parse.GetValue(votes) is null)
            {
                throw new UsageException("--gold goes with --votes (WRENCH files carry their labels; with --data use --gold-column).");
            }

            if ((parse.GetValue(rules) is not null) != (parse.GetValue(data) is { Length: > 0 }))
            {
                throw new UsageException("--data and --rules go together.");
            }

            int? k = parse.GetValue(cardinality);
            if (k is < 2 or > LabelMatrix.MaxCardinality)
            {
                throw new UsageException($"--cardinality must be in [2, {LabelMatrix.MaxCardinality}], not {k}.");
            }

            IReadOnlyList<string> sources;
            LabelMatrix matrix;
            LabelMatrixSummary? summary = null;
            IReadOnlyList<int>? labels = null;
            IReadOnlyList<string>? classNames = null;
            if (parse.GetValue(wrench) is { } wrenchFile)
            {
                var dataset = WrenchDataset.Load(wrenchFile.FullName, k);
                context.Progress($"read {dataset.Matrix.RowCount:N0} rows × {dataset.Matrix.LfCount} LFs from {wrenchFile.Name}");
                matrix = dataset.Matrix;
                labels = dataset.Gold;
                classNames = dataset.ClassNames;
                sources = [wrenchFile.FullName];
            }
            else if (parse.GetValue(votes) is { } votesFile)
            {
                matrix = VotesCsv.Read(votesFile.FullName, k);
                if (parse.GetValue(gold) is { } goldFile)
                {
                    var goldLabels = GoldLabels.Read(goldFile.FullName);
                    if (goldLabels.Length != matrix.RowCount)
                    {
                        throw new DataFormatException(
                            $"{goldLabels.Length:N0} gold labels but {matrix.RowCount:N0} vote rows in {votesFile.FullName}.", goldFile.FullName);
                    }

                    int badRow = Array.FindIndex(goldLabels, y => y < -1 || y >= matrix.Cardinality);
                    if (badRow >= 0)
                    {
                        throw new DataFormatException(
                            $"gold label {goldLabels[badRow]} is outside [-1, {matrix.Cardinality}); pass --cardinality if the votes never use every class.",
                            goldFile.FullName, badRow + 1);
                    }

                    labels = goldLabels;
                }

                sources = [votesFile.FullName];
            }
            else
            {
                var files = parse.GetValue(data)!;
                var result = RuleApplication.Run(context, files, parse.GetValue(textColumn), parse.GetValue(rules)!,
                    parse.GetValue(threads), Labeling.FaultPolicy.Throw, outPath: null, parse.GetValue(goldColumn), keepMatrix: true);
                matrix = result.Matrix!;
                labels = result.Gold;
                summary = result.Summary; // already computed with the gold column
                classNames = result.ClassNames;
                sources = files.Select(f => f.FullName).ToArray();
            }

            summary ??= LabelMatrixSummary.Create(matrix, labels);
            SummaryWriter.Write(context, summary, parse.GetValue(format), sources, classNames);
            if (parse.GetValue(report) is { } reportFile)
            {
                var html = new HtmlReport($"LF analysis: {string.Join(", ", sources.Select(Path.GetFileName))}");
                LabelingSections.Add(html, matrix, summary, classNames);
                html.Save(reportFile.FullName);
                context.Progress($"wrote {reportFile.FullName}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
