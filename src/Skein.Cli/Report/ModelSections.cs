using System.Globalization;
using Skein.Analysis;
using Skein.Cli.Demo;
using Skein.EndModels;

namespace Skein.Cli.Report;

/// <summary>Report sections about label and end models: accuracies, calibration, learning curve, confusion matrix.</summary>
internal static class ModelSections
{
    /// <summary>The ids of every chart and table the demo report holds (the browser test checks them all).</summary>
    public static readonly string[] DemoIds =
    [
        "lf-summary", "lf-coverage", "lf-agreement", "model-accuracy", "model-accuracy-chart",
        "reliability", "learning-curve", "confusion-matrix",
    ];

    /// <summary>Label models vs majority vote vs end model: a table and accuracy bars.</summary>
    public static void AddAccuracies(HtmlReport report, DemoResult result)
    {
        bool hasTest = result.TestCount is not null;
        report.Heading("Accuracy", "accuracy")
            .Paragraph($"Label models are fit on the votes of {result.TrainCount:N0} train comments without their gold labels; " +
                $"the dev split ({result.DevCount:N0} comments) picks the label model and early-stops the end model" +
                (hasTest ? $"; the test file ({result.TestCount:N0} comments) is scored once." : "."));
        var rows = ScoreRows(result).ToArray();
        var headers = new List<string> { "#", "Model", "Role", "Dev accuracy" };
        if (hasTest)
        {
            headers.Add("Test accuracy");
        }

        report.Table("model-accuracy", headers, rows.Select((r, i) =>
        {
            var row = new List<string> { (i + 1).ToString(CultureInfo.InvariantCulture), r.Score.Name, r.Role, Fmt(r.Score.DevAccuracy) };
            if (hasTest)
            {
                row.Add(Fmt(r.Score.TestAccuracy!.Value));
            }

            return (IReadOnlyList<string>)row;
        }));

        var categories = rows.Select(r => r.Role == "end model" ? $"{r.Score.Name} (end)" : r.Score.Name).ToArray();
        var series = new List<Series> { new("dev", rows.Select(r => r.Score.DevAccuracy).ToArray()) };
        if (hasTest)
        {
            series.Add(new Series("test", rows.Select(r => r.Score.TestAccuracy!.Value).ToArray()));
        }

        report.Charts(Svg.BarChart("model-accuracy-chart", "Accuracy: label models (incl. majority vote) and the end model", categories, series));
    }

    /// <summary>Reliability diagrams, the end model's learning curve and its confusion matrix.</summary>
    public static void AddModelCharts(HtmlReport report, DemoResult result)
    {
        report.Heading("Models", "models")
            .Paragraph($"Calibration and the confusion matrix are measured on the {result.EvaluatedOn} comments. " +
                $"Expected calibration error: label model {Fmt(result.LabelModelReliability.ExpectedCalibrationError)}, " +
                $"end model {Fmt(result.EndModelReliability.ExpectedCalibrationError)}.");
        report.Charts(
            Svg.LineChart("reliability", $"Reliability ({result.EvaluatedOn}): predicted confidence vs accuracy", "confidence", "accuracy",
            [
                new PointSeries($"label model ({result.ChosenLabelModel.Name})", Points(result.LabelModelReliability)),
                new PointSeries($"end model ({result.EndModel.Name})", Points(result.EndModelReliability)),
            ], xMax: 1, yMax: 1, diagonal: true),
            LearningCurve(result.History),
            Svg.Heatmap("confusion-matrix", $"End-model confusion matrix ({result.EvaluatedOn})", DemoPipeline.ClassNames, DemoPipeline.ClassNames,
                ToDouble(result.Confusion), 0, MaxOf(result.Confusion), xTitle: "predicted", yTitle: "gold",
                format: v => v.ToString("0", CultureInfo.InvariantCulture)));
    }

    private static IEnumerable<(string Role, ModelScore Score)> ScoreRows(DemoResult result)
    {
        foreach (var s in result.LabelModels)
        {
            yield return (s == result.ChosenLabelModel ? "label model (chosen on dev)" : "label model", s);
        }

        yield return ("end model", result.EndModel);
    }

    private static string LearningCurve(IReadOnlyList<EpochRecord> history)
    {
        double yMax = Math.Max(1, history.Max(h => Math.Max(h.TrainLoss, h.ValidationLoss ?? 0)));
        var series = new List<PointSeries>
        {
            new("train loss", history.Select(h => ((double)h.Epoch, h.TrainLoss)).ToArray()),
        };
        if (history.All(h => h.ValidationLoss is not null))
        {
            series.Add(new PointSeries("dev loss", history.Select(h => ((double)h.Epoch, h.ValidationLoss!.Value)).ToArray()));
        }

        if (history.All(h => h.ValidationAccuracy is not null))
        {
            series.Add(new PointSeries("dev accuracy", history.Select(h => ((double)h.Epoch, h.ValidationAccuracy!.Value)).ToArray(), Dashed: true));
        }

        return Svg.LineChart("learning-curve", "End-model learning curve", "epoch", "loss / accuracy", series,
            xMax: Math.Max(1, history.Max(h => h.Epoch)), yMax: Math.Ceiling(yMax * 10) / 10);
    }

    private static (double X, double Y)[] Points(Reliability reliability) =>
        reliability.Bins.Where(b => b.Count > 0).Select(b => (b.MeanConfidence, b.Accuracy)).ToArray();

    private static double[,] ToDouble(int[,] counts)
    {
        var values = new double[counts.GetLength(0), counts.GetLength(1)];
        for (int i = 0; i < counts.GetLength(0); i++)
        {
            for (int j = 0; j < counts.GetLength(1); j++)
            {
                values[i, j] = counts[i, j];
            }
        }

        return values;
    }

    private static double MaxOf(int[,] counts) => Math.Max(1, counts.Cast<int>().Max());

    private static string Fmt(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
