using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Analysis;
using Skein.Data;
using Skein.Evaluation;
using Skein.IO;
using Skein.LabelModels;
using Spectre.Console;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein fit --votes L.csv --cardinality K --model NAME</c>: fit a label model to a votes file, predict the same
/// rows, optionally score against gold and write the probabilities. Timings are taken in-process with a
/// <see cref="Stopwatch"/> around the fit and around the prediction, so file reading is not counted.
/// </summary>
internal static class FitCommand
{
    public static Command Create(CliContext context)
    {
        var votes = new Option<FileInfo>("--votes", "-v")
        {
            Description = "Votes CSV: one row per item, one int per LF, -1 = abstain, no header.",
            Required = true,
        };
        var cardinality = new Option<int>("--cardinality", "-k") { Description = "Number of classes, k ≥ 2.", Required = true };
        var model = LabelModelOptions.Model("--model", "-m", allowAuto: true);
        var balance = new Option<string?>("--class-balance")
        {
            Description = "Class prior for models that use one (wmv, metal, fs): p0,p1,… (k positive numbers summing to 1), or 'votes' to estimate it from the votes.",
        };
        var gold = new Option<FileInfo?>("--gold", "-g")
        {
            Description = "Gold labels: one int per line, -1 = unknown; adds accuracy, and calibration (ECE, Brier, log-loss) on the covered rows.",
        };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Probabilities CSV to write (header p0,…; written atomically)." };
        var seed = LabelModelOptions.Seed();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var quiet = CommonOptions.Quiet();

        var command = new Command("fit", "Fit a label model to a votes file and predict its rows; time the fit and the prediction.")
        {
            votes, cardinality, model, balance, gold, output, seed, json, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            string modelName = parse.GetRequiredValue(model);
            bool auto = modelName == LabelModelOptions.Auto;
            var spec = auto ? null : LabelModelCatalog.Get(modelName);

            // Everything is validated before the fit, so a bad input costs nothing and writes nothing.
            int k = parse.GetValue(cardinality);
            if (k < 2 || k > LabelMatrix.MaxCardinality)
            {
                throw new UsageException($"--cardinality must be in [2, {LabelMatrix.MaxCardinality}], not {k}.");
            }

            string? balanceText = parse.GetValue(balance);
            var classBalance = balanceText is not null && balanceText != "votes" ? ParseClassBalance(balanceText, k) : null;
            var votesFile = parse.GetRequiredValue(votes);
            var matrix = VotesCsv.Read(votesFile.FullName, k);
            if (balanceText == "votes")
            {
                classBalance = ClassBalance.FromVotes(matrix);
                context.Progress($"class balance estimated from the votes: [{string.Join(", ", classBalance.Weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))}]");
            }

            int[]? labels = parse.GetValue(gold) is { } goldFile ? ReadGold(goldFile, matrix) : null;
            spec?.RequireLfCount(matrix.LfCount);
            if (classBalance is not null && spec is not null && !spec.UsesClassBalance)
            {
                context.Error.WriteLine($"warning: {spec.Name} ignores --class-balance.");
            }

            var settings = new LabelModelSettings { ClassBalance = classBalance, Seed = parse.GetValue(seed) };
            var clock = Stopwatch.StartNew();
            LabelModelAutoResult? selection = null;
            LabelModel fitted;
            if (auto)
            {
                // The gold rows are the fitted rows here, so the temperature and the reported ECE are in-sample.
                selection = labels is null
                    ? LabelModelSelection.Auto(matrix, settings)
                    : LabelModelSelection.Auto(matrix, settings, matrix, labels);
                fitted = selection.Model;
                context.Progress($"auto chose {selection.Chosen.Name} ({selection.Criterion})");
            }
            else
            {
                var trainer = LabelModelOptions.Unavailable(() => spec!.CreateTrainer(settings));
                fitted = trainer.Fit(matrix);
            }

            double fitSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var probabilities = selection?.PredictProba(matrix) ?? fitted.PredictProba(matrix);
            double predictSeconds = clock.Elapsed.TotalSeconds;
            var uncalibrated = selection?.Temperature is not null && labels is not null
                ? CoveredCalibration(matrix, fitted.PredictProba(matrix), labels)
                : null;

            double? accuracy = labels is null ? null : Accuracy(labels, probabilities.ArgMax());
            var calibration = labels is null ? null : CoveredCalibration(matrix, probabilities, labels);
            if (parse.GetValue(output) is { } outFile)
            {
                ProbabilitiesCsv.Write(outFile.FullName, probabilities);
                context.Progress($"wrote {probabilities.RowCount:N0} × {k} probabilities to {outFile.FullName}");
            }

            var result = new FitResult(selection?.Chosen.Name ?? spec!.Name, matrix.RowCount, matrix.LfCount, k, fitSeconds, predictSeconds, accuracy, calibration,
                fitted.Describe(matrix.LfNames), LabelModelDiagnostics.Check(fitted, matrix), selection, uncalibrated);
            foreach (var warning in result.Warnings)
            {
                context.Error.WriteLine($"warning: {warning.Message}");
            }

            if (parse.GetValue(json))
            {
                WriteJson(context.Output, result);
            }
            else
            {
                WriteTable(context, result);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record FitResult(
        string Model, int N, int M, int K, double FitSeconds, double PredictSeconds, double? Accuracy, CalibrationReport? Calibration,
        LabelModelWeights Weights, IReadOnlyList<LabelModelWarning> Warnings, LabelModelAutoResult? Selection,
        CalibrationReport? CalibrationBeforeTemperature);

    // A label model is judged as a labeler on the rows some LF covers; null when no covered row has gold.
    private static CalibrationReport? CoveredCalibration(LabelMatrix matrix, ProbabilisticLabels probabilities, int[] gold)
    {
        var covered = matrix.CoveredRows();
        var rows = Enumerable.Range(0, gold.Length).Where(i => covered[i] && gold[i] >= 0).ToArray();
        return rows.Length == 0 ? null : Calibration.Measure(probabilities.SelectRows(rows), rows.Select(i => gold[i]).ToArray());
    }

    /// <summary>Parses "p0,p1,…": k finite numbers in (0, 1] summing to 1; messages name the option.</summary>
    internal static ClassBalance ParseClassBalance(string text, int k)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != k)
        {
            throw new UsageException($"--class-balance has {parts.Length} values but --cardinality is {k}; give one probability per class.");
        }

        var p = new double[k];
        for (int c = 0; c < k; c++)
        {
            if (!double.TryParse(parts[c], NumberStyles.Float, CultureInfo.InvariantCulture, out p[c]))
            {
                throw new UsageException($"--class-balance value {c + 1} ('{parts[c]}') is not a number.");
            }

            if (!double.IsFinite(p[c]) || p[c] <= 0 || p[c] > 1)
            {
                throw new UsageException($"--class-balance value {c + 1} is {parts[c]}; every class probability must be in (0, 1].");
            }
        }

        double sum = p.Sum();
        if (Math.Abs(sum - 1) > ClassBalance.SumTolerance)
        {
            throw new UsageException(
                $"--class-balance sums to {sum.ToString("R", CultureInfo.InvariantCulture)}; it must sum to 1 (±{ClassBalance.SumTolerance.ToString(CultureInfo.InvariantCulture)}).");
        }

        return ClassBalance.FromProbabilities(p);
    }

    private static int[] ReadGold(FileInfo goldFile, LabelMatrix matrix)
    {
        var labels = GoldLabels.Read(goldFile.FullName);
        if (labels.Length != matrix.RowCount)
        {
            throw new DataFormatException($"{labels.Length:N0} gold labels but {matrix.RowCount:N0} vote rows; they must match row for row.", goldFile.FullName);
        }

        int bad = Array.FindIndex(labels, y => y < -1 || y >= matrix.Cardinality);
        if (bad >= 0)
        {
            throw new DataFormatException($"gold label {labels[bad]} is outside [-1, {matrix.Cardinality}).", goldFile.FullName, bad + 1);
        }

        return labels;
    }

    // Accuracy of the argmax (ties to the lower class) over rows whose gold is known; null if none is.
    private static double? Accuracy(int[] gold, int[] predicted)
    {
        int known = 0, correct = 0;
        for (int i = 0; i < gold.Length; i++)
        {
            if (gold[i] >= 0)
            {
                known++;
                correct += gold[i] == predicted[i] ? 1 : 0;
            }
        }

        return known == 0 ? null : (double)correct / known;
    }

    private static void WriteJson(TextWriter output, FitResult r)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", r.Model);
            writer.WriteNumber("n", r.N);
            writer.WriteNumber("m", r.M);
            writer.WriteNumber("k", r.K);
            writer.WriteNumber("fit_seconds", r.FitSeconds);
            writer.WriteNumber("predict_seconds", r.PredictSeconds);
            WrenchCommand.WriteNullable(writer, "accuracy", r.Accuracy);
            if (r.Calibration is { } c)
            {
                writer.WriteStartObject("covered_calibration");
                writer.WriteNumber("rows", c.RowCount);
                writer.WriteNumber("accuracy", c.Accuracy);
                writer.WriteNumber("ece", c.ExpectedCalibrationError);
                writer.WriteNumber("brier", c.BrierScore);
                writer.WriteNumber("log_loss", c.LogLoss);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("covered_calibration");
            }

            WriteWeights(writer, r.Weights, r.Warnings);
            if (r.Selection is { } selection)
            {
                WriteSelection(writer, selection);
                WrenchCommand.WriteNullable(writer, "covered_ece_before_temperature", r.CalibrationBeforeTemperature?.ExpectedCalibrationError);
            }
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes "selection": what auto chose, by which criterion, every candidate's score and the temperature.</summary>
    internal static void WriteSelection(Utf8JsonWriter writer, LabelModelAutoResult selection)
    {
        writer.WriteStartObject("selection");
        writer.WriteString("chosen", selection.Chosen.Name);
        writer.WriteString("criterion", JsonNamingPolicy.SnakeCaseLower.ConvertName(selection.Criterion.ToString()));
        WrenchCommand.WriteNullable(writer, "temperature", selection.Temperature?.Temperature);
        writer.WriteStartArray("candidates");
        foreach (var c in selection.Candidates)
        {
            writer.WriteStartObject();
            writer.WriteString("model", c.Name);
            WrenchCommand.WriteNullable(writer, "score", c.Score);
            if (c.Skipped is { } why)
            {
                writer.WriteString("skipped", why);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>Writes "class_prior", "weights" (per LF name: accuracy, propensity; null where the model has none) and "warnings".</summary>
    internal static void WriteWeights(Utf8JsonWriter writer, LabelModelWeights weights, IReadOnlyList<LabelModelWarning> warnings)
    {
        writer.WriteStartArray("class_prior");
        foreach (var p in weights.ClassPrior ?? [])
        {
            if (double.IsFinite(p))
            {
                writer.WriteNumberValue(p);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndArray();
        writer.WriteStartObject("weights");
        for (int j = 0; j < weights.LfNames.Count; j++)
        {
            writer.WriteStartObject(weights.LfNames[j]);
            WrenchCommand.WriteNullable(writer, "accuracy", Finite(weights.Accuracies?[j]));
            WrenchCommand.WriteNullable(writer, "propensity", Finite(weights.Propensities?[j]));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteStartArray("warnings");
        foreach (var w in warnings)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", JsonNamingPolicy.SnakeCaseLower.ConvertName(w.Kind.ToString()));
            if (w.LfName is { } name)
            {
                writer.WriteString("lf", name);
            }
            else
            {
                writer.WriteNull("lf");
            }

            writer.WriteString("message", w.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteTable(CliContext context, FitResult r)
    {
        var table = new Table().AddColumns("model", "n", "m", "k", "fit s", "predict s", "accuracy", "covered ECE", "covered log-loss");
        table.AddRow(r.Model, r.N.ToString("N0", CultureInfo.InvariantCulture), r.M.ToString(CultureInfo.InvariantCulture),
            r.K.ToString(CultureInfo.InvariantCulture), r.FitSeconds.ToString("F3", CultureInfo.InvariantCulture),
            r.PredictSeconds.ToString("F3", CultureInfo.InvariantCulture),
            r.Accuracy?.ToString("F4", CultureInfo.InvariantCulture) ?? "-",
            r.Calibration?.ExpectedCalibrationError.ToString("F4", CultureInfo.InvariantCulture) ?? "-",
            r.Calibration?.LogLoss.ToString("F4", CultureInfo.InvariantCulture) ?? "-");
        context.Console.Write(table);
        if (r.Weights.Accuracies is not { } accuracies)
        {
            return;
        }

        // What the model learned, one row per LF: the table form of --json's "weights".
        var weights = new Table().AddColumns("lf", "learned accuracy", "propensity");
        for (int j = 0; j < r.Weights.LfNames.Count; j++)
        {
            weights.AddRow(Markup.Escape(r.Weights.LfNames[j]), accuracies[j].ToString("F3", CultureInfo.InvariantCulture),
                r.Weights.Propensities?[j].ToString("F3", CultureInfo.InvariantCulture) ?? "-");
        }

        context.Console.Write(weights);
        if (r.Weights.ClassPrior is { } prior)
        {
            context.Output.WriteLine($"class prior: [{string.Join(", ", prior.Select(p => p.ToString("F3", CultureInfo.InvariantCulture)))}]");
        }
    }
}
