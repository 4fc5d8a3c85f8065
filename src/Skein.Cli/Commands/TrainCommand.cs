using System.CommandLine;
using System.Globalization;
using Skein.Features;
using Skein.IO;
using Skein.Onnx;
using Skein.Selection;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein train --data FILE --text-column C --labels probs.csv --features tfidf|minilm --model softmax|mlp --out model.json</c>:
/// featurise the texts, train an end model on the (soft) labels and save featurizer and model as one JSON file.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<FileInfo>("--data", "-d") { Description = "Texts: a .csv, .tsv or .jsonl file with a header.", Required = true };
        var column = new Option<string>("--text-column", "-t") { Description = "The column holding the text.", Required = true };
        var labels = new Option<FileInfo>("--labels", "-l")
        {
            Description = "Probabilities CSV (e.g. from skein fit --out): one row per data row, one probability per class, rows summing to 1.",
            Required = true,
        };
        var features = EndModelFactory.Features(required: false);
        features.DefaultValueFactory = null;
        features.Description += " Required for softmax and mlp; finetune learns its own.";
        var model = EndModelFactory.Model("--model", required: true, fineTune: true);
        var output = new Option<FileInfo>("--out", "-o")
        {
            Description = "Model JSON to write (featurizer + end model; written atomically); with finetune a bundle folder (model.onnx, vocab.txt, classifier.json).",
            Required = true,
        };
        var fineTune = new FineTuneCliOptions();
        var seed = new Option<int>("--seed") { Description = "Seed for initialisation, shuffling and the validation split.", DefaultValueFactory = _ => 0 };
        var validFraction = new Option<double>("--valid-fraction")
        {
            Description = "Share of rows held out for early stopping, in [0, 0.5]; 0 trains on every row for the full budget.",
            DefaultValueFactory = _ => EndModelCandidate.DefaultValidationFraction,
        };
        var quiet = CommonOptions.Quiet();

        var command = new Command("train", "Train an end model (softmax or MLP on TF-IDF or MiniLM features) on probabilistic labels.")
        {
            data, column, labels, features, model, output, seed, validFraction, quiet,
        };
        fineTune.AddTo(command);
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            double fraction = parse.GetValue(validFraction);
            if (!(fraction >= 0 && fraction <= 0.5))
            {
                throw new UsageException($"--valid-fraction must be in [0, 0.5], not {fraction.ToString(CultureInfo.InvariantCulture)}.");
            }

            string dataPath = parse.GetRequiredValue(data).FullName, textColumn = parse.GetRequiredValue(column);
            string modelName = parse.GetRequiredValue(model);
            bool isFineTune = modelName == EndModelFactory.FineTune;
            fineTune.RequireEndModel(parse, isFineTune);
            string featureName = parse.GetValue(features) switch
            {
                null when !isFineTune => throw new UsageException("--features is required for softmax and mlp (tfidf or minilm)."),
                { } f when isFineTune => throw new UsageException($"--features {f} does not apply to finetune: it learns its own representation."),
                var f => f ?? string.Empty,
            };
            var labelsPath = parse.GetRequiredValue(labels).FullName;

            // Cheap checks first: texts and labels are read and matched before any featurising or training.
            var texts = EndModelFactory.ReadTexts(dataPath, textColumn, context.Encoding);
            var probabilities = ProbabilitiesCsv.Read(labelsPath);
            EndModelFactory.RequireRows(probabilities, texts.Length, labelsPath, dataPath);

            if (isFineTune)
            {
                return TrainFineTune(context, parse, fineTune, texts, probabilities, textColumn);
            }

            HashedNGramModel? tfidf = null;
            FeatureMatrix x;
            if (featureName == EndModelFactory.TfIdf)
            {
                tfidf = new HashedNGramFeaturizer(EndModelFactory.TfIdfOptions(modelName)).Fit(texts);
                x = tfidf.Transform(texts);
            }
            else
            {
                x = EndModelFactory.Embed(texts, context, dataPath, textColumn);
            }

            var fitted = EndModelFactory.Trainer(modelName, parse.GetValue(seed), fraction).Fit(x, probabilities);
            var bundle = new TextModelBundle(featureName, tfidf, tfidf is null ? SentenceEmbedder.BundledModelName : null, fitted, textColumn);
            var outPath = parse.GetRequiredValue(output).FullName;
            bundle.Save(outPath);

            var last = fitted.History.Count > 0 ? fitted.History[^1] : null;
            var valid = last?.ValidationAccuracy is { } acc ? $", validation accuracy {acc.ToString("F4", CultureInfo.InvariantCulture)}" : string.Empty;
            context.Progress($"trained {fitted.ModelName} on {texts.Length:N0} rows × {x.ColumnCount:N0} {featureName} features, k = {fitted.Cardinality}{valid}");
            context.Output.WriteLine($"wrote {outPath}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Fine-tunes MiniLM on every row's labels (no gold rows here, so the full epoch budget) and writes the bundle folder.</summary>
    private static int TrainFineTune(CliContext context, ParseResult parse, FineTuneCliOptions fineTune, string[] texts,
        Skein.Data.ProbabilisticLabels probabilities, string textColumn)
    {
        if (parse.GetResult(parse.CommandResult.Command.Options.First(o => o.Name == "--valid-fraction")) is { Implicit: false })
        {
            throw new UsageException("--valid-fraction applies to softmax and mlp; finetune trains on every row for --epochs.");
        }

        var endModel = fineTune.Create(parse, context, parse.GetValue<int>("--seed"));
        var fit = endModel.Train(texts, probabilities, seed: parse.GetValue<int>("--seed"));
        foreach (var note in fit.Notes(endModel.Options.FineTune.MaxLength))
        {
            context.Progress($"note: {note}");
        }

        var outPath = parse.GetRequiredValue<FileInfo>("--out").FullName;
        fit.Classifier.Save(outPath, new Dictionary<string, string> { ["textColumn"] = textColumn });
        context.Progress($"fine-tuned MiniLM ({endModel.Options.FrozenLayers} bottom blocks frozen) on {texts.Length:N0} rows, k = {fit.Classifier.Classes}");
        context.Output.WriteLine($"wrote {outPath}");
        return ExitCodes.Ok;
    }
}
