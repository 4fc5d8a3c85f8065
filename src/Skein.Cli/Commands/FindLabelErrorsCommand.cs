using System.CommandLine;
using System.Globalization;
using Skein.Features;
using Skein.IO;
using Skein.Training;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein find-label-errors --data FILE --labels FILE --out errors.csv</c>: cross-validated probabilities of an end
/// model on the texts, then confident learning (cleanlab's find_label_issues) to list the rows whose label looks wrong.
/// </summary>
internal static class FindLabelErrorsCommand
{
    private static readonly Dictionary<string, LabelIssueFilter> Filters = new(StringComparer.Ordinal)
    {
        ["prune_by_noise_rate"] = LabelIssueFilter.PruneByNoiseRate,
        ["prune_by_class"] = LabelIssueFilter.PruneByClass,
        ["both"] = LabelIssueFilter.Both,
        ["confident_learning"] = LabelIssueFilter.ConfidentLearning,
        ["predicted_neq_given"] = LabelIssueFilter.PredictedNeqGiven,
    };

    public static Command Create(CliContext context)
    {
        var data = new Option<FileInfo>("--data", "-d") { Description = "Texts: a .csv, .tsv or .jsonl file with a header.", Required = true };
        var column = new Option<string>("--text-column", "-t") { Description = "The column holding the text.", DefaultValueFactory = _ => "text" };
        var labels = new Option<FileInfo>("--labels", "-l")
        {
            Description = "The given labels, one per data row: a probabilities CSV (as written by skein fit / predict; the label is each row's most probable class) or a gold file (one class index per line).",
            Required = true,
        };
        var features = EndModelFactory.Features(required: false);
        var model = EndModelFactory.Model("--model", required: false);
        model.DefaultValueFactory = _ => EndModelFactory.Softmax;
        var folds = new Option<int>("--folds", "-k") { Description = "Cross-validation folds (at least 2; every class needs as many rows).", DefaultValueFactory = _ => 5 };
        var filterBy = new Option<string>("--filter-by")
        {
            Description = "Which rows to flag: prune_by_noise_rate (cleanlab's default), prune_by_class, both, confident_learning or predicted_neq_given.",
            DefaultValueFactory = _ => "prune_by_noise_rate",
        };
        filterBy.AcceptOnlyFromAmong([.. Filters.Keys]);
        var seed = new Option<int>("--seed") { Description = "Seed of the folds and the models.", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--out", "-o")
        {
            Description = "CSV to write: row,given_label,suggested_label,self_confidence,normalized_margin, one line per flagged row (0-based), least self-confident first.",
            Required = true,
        };
        var quiet = CommonOptions.Quiet();

        var command = new Command("find-label-errors", "Find likely label errors: cross-validated end-model probabilities + confident learning (cleanlab).")
        {
            data, column, labels, features, model, folds, filterBy, seed, output, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            int k = parse.GetValue(folds);
            if (k < 2)
            {
                throw new UsageException($"--folds must be at least 2, not {k}.");
            }

            string dataPath = parse.GetRequiredValue(data).FullName, textColumn = parse.GetRequiredValue(column);
            string labelsPath = parse.GetRequiredValue(labels).FullName, outPath = parse.GetRequiredValue(output).FullName;
            string modelName = parse.GetRequiredValue(model), featureName = parse.GetRequiredValue(features);
            var filter = Filters[parse.GetRequiredValue(filterBy)];
            int seedValue = parse.GetValue(seed);

            // Cheap checks first: texts and labels are read and matched before any featurising or training.
            var texts = EndModelFactory.ReadTexts(dataPath, textColumn, context.Encoding);
            var (given, cardinality) = ReadGivenLabels(labelsPath);
            if (given.Length != texts.Length)
            {
                throw new DataFormatException(
                    $"{given.Length:N0} label rows but {texts.Length:N0} data rows in {dataPath}; they must match row for row.", labelsPath);
            }

            RequireRowsPerFold(given, cardinality, k, labelsPath);
            FeatureMatrix x = featureName == EndModelFactory.TfIdf
                ? new HashedNGramFeaturizer(EndModelFactory.TfIdfOptions(modelName)).Fit(texts).Transform(texts)
                : EndModelFactory.Embed(texts, context, dataPath, textColumn);
            context.Progress($"{k}-fold cross-validation of {modelName} on {texts.Length:N0} rows × {x.ColumnCount:N0} {featureName} features");
            var probabilities = CrossValidation.Probabilities(() => EndModelFactory.Trainer(modelName, seedValue, 0), x, given, cardinality, k, seedValue);
            var issues = ConfidentLearning.FindLabelIssues(given, probabilities, new LabelIssueOptions { FilterBy = filter });

            AtomicFile.WriteText(outPath, writer =>
            {
                writer.WriteLine("row,given_label,suggested_label,self_confidence,normalized_margin");
                foreach (int i in issues.Indices)
                {
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{i},{given[i]},{issues.Suggested[i]},{issues.SelfConfidence[i]:R},{issues.NormalizedMargin[i]:R}"));
                }
            });

            var o = context.Output;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"flagged {issues.Indices.Count:N0} of {given.Length:N0} rows ({100.0 * issues.Indices.Count / given.Length:F1}%) with {parse.GetRequiredValue(filterBy)}"));
            o.WriteLine("estimated share of wrong labels per given class (confident learning):");
            var counts = new int[cardinality];
            foreach (int y in given)
            {
                counts[y]++;
            }

            for (int c = 0; c < cardinality; c++)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  class {c}: {issues.Estimate.NoiseRateOfGiven(c):F3} of {counts[c]:N0} rows given {c} ({issues.Indices.Count(i => given[i] == c):N0} flagged)"));
            }

            o.WriteLine($"wrote {outPath}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Reads a probabilities CSV (a first line with a comma) as argmax labels, or else a gold file (one class index
    /// per line; every row must have a label, -1 = unknown is refused).
    /// </summary>
    private static (int[] Labels, int Cardinality) ReadGivenLabels(string path)
    {
        string? first;
        using (var reader = new StreamReader(path))
        {
            do
            {
                first = reader.ReadLine();
            }
            while (first is not null && string.IsNullOrWhiteSpace(first));
        }

        if (first is null)
        {
            throw new DataFormatException("the labels file is empty.", path);
        }

        if (first.Contains(',', StringComparison.Ordinal))
        {
            var probabilities = ProbabilitiesCsv.Read(path);
            return (probabilities.ArgMax(), probabilities.Cardinality);
        }

        var gold = GoldLabels.Read(path);
        for (int i = 0; i < gold.Length; i++)
        {
            if (gold[i] < 0)
            {
                throw new DataFormatException("the label is -1 (unknown); every row needs a given label to check.", path, i + 1);
            }
        }

        return (gold, Math.Max(2, gold.Max() + 1));
    }

    private static void RequireRowsPerFold(int[] labels, int cardinality, int folds, string path)
    {
        var counts = new int[cardinality];
        foreach (int y in labels)
        {
            counts[y]++;
        }

        for (int c = 0; c < cardinality; c++)
        {
            if (counts[c] is > 0 && counts[c] < folds)
            {
                throw new DataFormatException(
                    $"class {c} has {counts[c]} row(s), fewer than the {folds} folds; every class needs at least one row per fold (lower --folds).", path);
            }
        }
    }
}
