using System.CommandLine;
using Skein.IO;
using Skein.Transformers;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein predict --data FILE --model model.json --out probs.csv</c>: featurise texts with the saved featurizer
/// and write the end model's class probabilities.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<FileInfo>("--data", "-d") { Description = "Texts: a .csv, .tsv or .jsonl file with a header.", Required = true };
        var column = new Option<string?>("--text-column", "-t") { Description = "The column holding the text; default: the one the model was trained on." };
        var model = new Option<FileInfo>("--model", "-m") { Description = "Model JSON written by skein train (or the bundle folder of --model finetune).", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Probabilities CSV to write (header p0,…; written atomically).", Required = true };
        var quiet = CommonOptions.Quiet();

        var command = new Command("predict", "Predict class probabilities for texts with a model from skein train.")
        {
            data, column, model, output, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            var modelPath = parse.GetRequiredValue(model).FullName;
            var dataPath = parse.GetRequiredValue(data).FullName;
            if (Directory.Exists(modelPath))
            {
                return PredictFineTuned(context, modelPath, dataPath, parse.GetValue(column), parse.GetRequiredValue(output).FullName);
            }

            var bundle = TextModelBundle.Load(modelPath);
            var textColumn = parse.GetValue(column) ?? bundle.TextColumn;
            var texts = EndModelFactory.ReadTexts(dataPath, textColumn, context.Encoding);
            var features = EndModelFactory.Featurize(bundle, texts, dataPath, textColumn, context);
            var probabilities = bundle.EndModel.PredictProba(features);
            var outPath = parse.GetRequiredValue(output).FullName;
            ProbabilitiesCsv.Write(outPath, probabilities);
            context.Progress($"predicted {texts.Length:N0} rows × {probabilities.Cardinality} classes with {bundle.EndModel.ModelName} on {bundle.Features}");
            context.Output.WriteLine($"wrote {outPath}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A bundle folder from <c>skein train --model finetune</c>: the managed encoder and head predict.</summary>
    private static int PredictFineTuned(CliContext context, string modelPath, string dataPath, string? column, string outPath)
    {
        var classifier = FineTunedClassifier.Load(modelPath);
        var textColumn = column ?? (classifier.Metadata.TryGetValue("textColumn", out var c) ? c
            : throw new UsageException("the bundle does not name its text column; pass --text-column."));
        var texts = EndModelFactory.ReadTexts(dataPath, textColumn, context.Encoding);
        var probabilities = classifier.PredictProba(texts);
        ProbabilitiesCsv.Write(outPath, probabilities);
        context.Progress($"predicted {texts.Length:N0} rows × {probabilities.Cardinality} classes with the fine-tuned MiniLM");
        context.Output.WriteLine($"wrote {outPath}");
        return ExitCodes.Ok;
    }
}
