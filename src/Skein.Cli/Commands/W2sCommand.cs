using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.EndModels;
using Skein.Features;
using Skein.Training;
using Spectre.Console;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein w2s --data FILE --text-column C --label-column C --test FILE --weak NAME --strong NAME --loss xent|aux</c>:
/// the weak-to-strong experiment of Burns et al. (2023) on gold-labelled texts (see <see cref="WeakToStrongExperiment"/>).
/// Prints accuracies in % per seed and their means, or with <c>--json</c> one object
/// <c>{"weak", "strong_ceiling", "weak_to_strong", "pgr", "seeds", …}</c>.
/// </summary>
internal static class W2sCommand
{
    private const string SoftmaxTfIdf = "softmax-tfidf";
    private const string MlpTfIdf = "mlp-tfidf";
    private const string SoftmaxMiniLm = "softmax-minilm";
    private const string MlpMiniLm = "mlp-minilm";
    private static readonly string[] ModelNames = [SoftmaxTfIdf, MlpTfIdf, SoftmaxMiniLm, MlpMiniLm];

    public static Command Create(CliContext context)
    {
        var data = new Option<FileInfo>("--data", "-d")
        {
            Description = "Gold-labelled texts (.csv, .tsv or .jsonl), split 50/50 per seed: weak model on one half, students and ceiling on the other.",
            Required = true,
        };
        var textColumn = new Option<string>("--text-column", "-t")
        {
            Description = "Text column: a header name, or a 0-based index for a CSV/TSV without a header row (e.g. 5 in the original Sentiment140 files).",
            Required = true,
        };
        var labelColumn = new Option<string>("--label-column")
        {
            Description = "Gold label column: a header name or, for a headerless CSV/TSV, a 0-based index (e.g. 0 for Sentiment140's polarity).",
            Required = true,
        };
        var test = new Option<FileInfo>("--test") { Description = "Gold-labelled test texts every model is scored on (accuracy).", Required = true };
        var testText = new Option<string?>("--test-text-column") { Description = "Text column of the test file; default: --text-column." };
        var testLabel = new Option<string?>("--test-label-column") { Description = "Label column of the test file; default: --label-column." };
        var labels = new Option<string?>("--labels")
        {
            Description = "Comma-separated labels to keep, in class order (e.g. 0,4 drops Sentiment140's neutral 2); rows with other labels are dropped from data and test. Default: every label of the data, sorted.",
        };
        var weak = Model("--weak", "Weak supervisor");
        var strong = Model("--strong", "Strong ceiling and student");
        var loss = new Option<string>("--loss")
        {
            Description = "Student loss: xent (soft cross-entropy on the weak labels) or aux (Burns et al.'s auxiliary confidence loss, α_max 0.5, 10% linear warm-up; needs an mlp strong model).",
            Required = true,
        };
        loss.AcceptOnlyFromAmong("xent", "aux");
        var seeds = new Option<int>("--seeds") { Description = "Seeds 0…N−1 (split, initialisation, shuffles); results are means over them.", DefaultValueFactory = _ => 3 };
        var maxRows = new Option<int?>("--max-rows")
        {
            Description = "Use a seeded, stratified subsample of at most N data rows (after --labels) before splitting.",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var quiet = CommonOptions.Quiet();

        var command = new Command("w2s", "Weak-to-strong experiment: weak model on gold half A labels half B; strong student on those labels vs strong ceiling on B's gold; PGR.")
        {
            data, textColumn, labelColumn, test, testText, testLabel, labels, weak, strong, loss, seeds, maxRows, json, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            string weakName = parse.GetRequiredValue(weak), strongName = parse.GetRequiredValue(strong);
            var lossKind = parse.GetRequiredValue(loss) == "aux" ? WeakToStrongLoss.AuxiliaryConfidence : WeakToStrongLoss.CrossEntropy;
            if (lossKind == WeakToStrongLoss.AuxiliaryConfidence && !strongName.StartsWith("mlp", StringComparison.Ordinal))
            {
                throw new UsageException($"--loss aux trains the student with a per-batch objective, which needs an mlp strong model, not {strongName}.");
            }

            int seedCount = parse.GetValue(seeds);
            if (seedCount < 1)
            {
                throw new UsageException($"--seeds must be at least 1, not {seedCount}.");
            }

            int? rowCap = parse.GetValue(maxRows);
            if (rowCap is < 2)
            {
                throw new UsageException($"--max-rows must be at least 2, not {rowCap}.");
            }

            string[]? keep = null;
            if (parse.GetValue(labels) is { } list)
            {
                keep = [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
                // One label is a data problem (it leaves one class, exit 1, reported with the file); none is a usage slip.
                if (keep.Length == 0)
                {
                    throw new UsageException($"--labels '{list}' names no label; give at least 2, comma-separated.");
                }
            }

            string dataColumn = parse.GetRequiredValue(textColumn), dataLabel = parse.GetRequiredValue(labelColumn);
            var train = W2sInput.Read(parse.GetRequiredValue(data).FullName, dataColumn, dataLabel, context);
            var held = W2sInput.Read(parse.GetRequiredValue(test).FullName, parse.GetValue(testText) ?? dataColumn, parse.GetValue(testLabel) ?? dataLabel, context);
            var task = WeakToStrongTask.Prepare(train, held, keep, rowCap, new LineProgress(context));

            var weakView = Featurize(weakName, task, context);
            var strongView = strongName.EndsWith("minilm", StringComparison.Ordinal) == weakName.EndsWith("minilm", StringComparison.Ordinal)
                ? weakView
                : Featurize(strongName, task, context);
            var experiment = new WeakToStrongExperiment(new WeakToStrongOptions
            {
                Seeds = [.. Enumerable.Range(0, seedCount)],
                Losses = [lossKind],
            });
            var result = experiment.Run(
                new WeakToStrongData(weakView.Data, strongView.Data, task.Labels, weakView.Test, strongView.Test, task.TestLabels, task.Classes.Count),
                Trainer(weakName), Trainer(strongName), new LineProgress(context));

            if (parse.GetValue(json))
            {
                WriteJson(context.Output, result, weakName, strongName, parse.GetRequiredValue(loss), task);
            }
            else
            {
                WriteTable(context, result, parse.GetRequiredValue(loss));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string> Model(string name, string role)
    {
        var option = new Option<string>(name)
        {
            Description = $"{role}: softmax-tfidf (L2 softmax regression on word unigrams hashed into 4,096 buckets: deliberately weak), mlp-tfidf, " +
                "softmax-minilm, or mlp-minilm (MiniLM sentence embeddings, one hidden layer of 256, batch 32).",
            Required = true,
        };
        option.AcceptOnlyFromAmong(ModelNames);
        return option;
    }

    private static Func<int, IEndModelTrainer> Trainer(string name) =>
        name.StartsWith("mlp", StringComparison.Ordinal) ? seed => WeakToStrongPresets.Mlp(seed) : seed => WeakToStrongPresets.Softmax(seed);

    private static (FeatureMatrix Data, FeatureMatrix Test) Featurize(string name, WeakToStrongTask task, CliContext context)
    {
        if (name.EndsWith("minilm", StringComparison.Ordinal))
        {
            return (EndModelFactory.Embed(task.Texts, context, task.DataPath, task.TextColumn),
                EndModelFactory.Embed(task.TestTexts, context, task.TestPath, task.TestTextColumn));
        }

        return (WeakToStrongPresets.BagOfWords(task.Texts), WeakToStrongPresets.BagOfWords(task.TestTexts));
    }

    private static void WriteJson(TextWriter output, WeakToStrongResult r, string weak, string strong, string loss, WeakToStrongTask task)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var student = r.Students[0];
            writer.WriteStartObject();
            writer.WriteNumber("weak", Percent(r.MeanWeak));
            writer.WriteNumber("strong_ceiling", Percent(r.MeanCeiling));
            writer.WriteNumber("weak_to_strong", Percent(student.MeanAccuracy));
            WrenchCommand.WriteNullable(writer, "pgr", student.Pgr);
            writer.WriteNumber("seeds", r.Seeds.Count);
            writer.WriteString("weak_model", weak);
            writer.WriteString("strong_model", strong);
            writer.WriteString("loss", loss);
            writer.WriteStartArray("classes");
            foreach (var c in task.Classes)
            {
                writer.WriteStringValue(c);
            }

            writer.WriteEndArray();
            writer.WriteNumber("data_rows", task.Labels.Count);
            writer.WriteNumber("test_rows", task.TestLabels.Count);
            writer.WriteStartArray("per_seed");
            foreach (var s in r.Seeds)
            {
                writer.WriteStartObject();
                writer.WriteNumber("seed", s.Seed);
                writer.WriteNumber("weak", Percent(s.Weak));
                writer.WriteNumber("weak_label_accuracy", Percent(s.WeakLabelAccuracy));
                writer.WriteNumber("strong_ceiling", Percent(s.Ceiling));
                writer.WriteNumber("weak_to_strong", Percent(s.Students[0].Accuracy));
                WrenchCommand.WriteNullable(writer, "pgr", s.Students[0].Pgr);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteTable(CliContext context, WeakToStrongResult r, string loss)
    {
        var table = new Table().AddColumns("seed", "weak", "strong ceiling", $"weak-to-strong ({loss})", "PGR");
        foreach (var s in r.Seeds)
        {
            table.AddRow(s.Seed.ToString(CultureInfo.InvariantCulture), Format(s.Weak), Format(s.Ceiling), Format(s.Students[0].Accuracy), Pgr(s.Students[0].Pgr));
        }

        table.AddRow("mean", Format(r.MeanWeak), Format(r.MeanCeiling), Format(r.Students[0].MeanAccuracy), Pgr(r.Students[0].Pgr));
        context.Console.Write(table);
        if (r.Students[0].Pgr is null)
        {
            context.Output.WriteLine("PGR is undefined (-) where the strong ceiling does not beat the weak model.");
        }
    }

    private static double Percent(double accuracy) => Math.Round(accuracy * 100, 4);

    private static string Format(double accuracy) => (accuracy * 100).ToString("F2", CultureInfo.InvariantCulture);

    private static string Pgr(double? pgr) => pgr?.ToString("F3", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Reports straight to stderr (<see cref="Progress{T}"/> would post to the thread pool and reorder lines).</summary>
    private sealed class LineProgress(CliContext context) : IProgress<string>
    {
        public void Report(string value) => context.Progress(value);
    }
}
