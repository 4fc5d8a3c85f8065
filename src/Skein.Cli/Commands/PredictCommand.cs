using System.CommandLine;
using Skein.IO;

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
        var model = new Option<FileInfo>("--model", "-m") { Description = "Model JSON written by skein train.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Probabilities CSV to write (header p0,…; written atomically).", Required = true };
        var quiet = CommonOptions.Quiet();

        var command = new Command("predict", "Predict class probabilities for texts with a model from skein train.")
        {
            data, column, model, output, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            var bundle = TextModelBundle.Load(parse.GetRequiredValue(model).FullName);
            var dataPath = parse.GetRequiredValue(data).FullName;
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
}
