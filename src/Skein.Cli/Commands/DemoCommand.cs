using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cli.Demo;
using Skein.Cli.Report;
using Skein.IO;
using Spectre.Console;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein demo</c>: the whole weak-supervision loop on the bundled YouTube Spam Collection, with tables on
/// stdout and an offline HTML report.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Directory for report.html and the embedding cache (.cache).",
            DefaultValueFactory = _ => new DirectoryInfo("skein-demo"),
        };
        var test = new Option<FileInfo?>("--test") { Description = "Also score on these comments: a CSV in the UCI YouTube format (COMMENT_ID, AUTHOR, DATE, CONTENT, CLASS)." };
        var json = new Option<bool>("--json") { Description = "Print only {\"label_model\": {name, accuracy}, \"end_model\": {name, accuracy}} (on --test when given, else on dev)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the train/dev split and the models.", DefaultValueFactory = _ => 1 };
        var quiet = CommonOptions.Quiet();
        var command = new Command("demo", "Label YouTube comments as spam with 7 keyword LFs and a zero-shot MiniLM LF, fit a label model and an end model, and write report.html.")
        {
            outDir, test, json, seed, quiet,
        };
        command.SetAction(parse =>
        {
            context.Quiet = parse.GetValue(quiet);
            var dir = parse.GetValue(outDir)!;
            var testFile = parse.GetValue(test);
            if (testFile is not null && !testFile.Exists)
            {
                throw new FileNotFoundException($"test file not found: {testFile.FullName}", testFile.FullName);
            }

            Directory.CreateDirectory(dir.FullName);
            OutputGuard.Check(Path.Combine(dir.ToString(), "report.html"), testFile?.ToString());
            var result = DemoPipeline.Run(new DemoOptions(dir.FullName, testFile?.FullName, parse.GetValue(seed)), context.Progress);

            var reportPath = Path.Combine(dir.FullName, "report.html");
            var html = new HtmlReport("Skein demo: spam in YouTube comments");
            html.Paragraph($"UCI YouTube Spam Collection (videos 01–04, CC BY 4.0, Alberto, Lochter & Almeida 2015): " +
                $"{result.TrainCount:N0} train and {result.DevCount:N0} dev comments" +
                (result.TestCount is { } n ? $", {n:N0} test comments from {testFile!.Name}." : ".") +
                " The LF table describes the train split; empirical accuracies are not shown because train gold is never used.");
            LabelingSections.Add(html, result.TrainMatrix, result.TrainSummary, DemoPipeline.ClassNames);
            ModelSections.AddAccuracies(html, result);
            ModelSections.AddModelCharts(html, result);
            html.Save(reportPath);
            context.Progress($"wrote {reportPath} in {result.Elapsed.TotalSeconds:0.0}s");

            if (parse.GetValue(json))
            {
                WriteJson(context.Output, result);
            }
            else
            {
                SummaryWriter.Write(context, result.TrainSummary, OutputFormat.Table, ["train split"], DemoPipeline.ClassNames);
                WriteAccuracyTable(context, result);
                context.Output.WriteLine($"Report: {reportPath}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteAccuracyTable(CliContext context, DemoResult result)
    {
        bool hasTest = result.TestCount is not null;
        var table = new Table().Border(TableBorder.Rounded).Title("Accuracy");
        table.AddColumn("Role").AddColumn("Model").AddColumn(new TableColumn($"Dev ({result.DevCount:N0})").RightAligned());
        if (hasTest)
        {
            table.AddColumn(new TableColumn($"Test ({result.TestCount:N0})").RightAligned());
        }

        foreach (var s in result.LabelModels.Append(result.EndModel))
        {
            string role = s == result.EndModel ? "end model" : s == result.ChosenLabelModel ? "label model (chosen)" : "label model";
            var cells = new List<string> { role, s.Name, Fmt(s.DevAccuracy) };
            if (hasTest)
            {
                cells.Add(Fmt(s.TestAccuracy!.Value));
            }

            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        context.Console.Write(table);
    }

    private static void WriteJson(TextWriter output, DemoResult result)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (key, score) in new[] { ("label_model", result.ChosenLabelModel), ("end_model", result.EndModel) })
            {
                writer.WriteStartObject(key);
                writer.WriteString("name", score.Name);
                writer.WriteNumber("accuracy", Math.Round(score.TestAccuracy ?? score.DevAccuracy, 4));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Fmt(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
