using System.Globalization;
using Skein.Analysis;
using Skein.IO;
using Skein.Labeling;

namespace Skein.Examples;

/// <summary>One comment of the UCI YouTube Spam Collection.</summary>
internal sealed record YouTubeComment(string Video, string Content, int Class);

/// <summary>Applies <see cref="YouTubeSpamLfs"/> to the bundled UCI CSVs and prints an LF summary.</summary>
internal static class YouTubeDemo
{
    public static string DefaultDataDirectory => Path.Combine(AppContext.BaseDirectory, "examples-data", "youtube");

    public static IReadOnlyList<YouTubeComment> LoadComments(string directory)
    {
        var files = Directory.GetFiles(directory, "Youtube*.csv").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"No Youtube*.csv files in '{directory}'.");
        }

        var comments = new List<YouTubeComment>();
        foreach (var file in files)
        {
            // CONTENT holds commas, quotes and (once) a line break: the library's CSV policy reads it.
            using var reader = TabularReader.Open(file);
            reader.RequireColumn("CONTENT");
            reader.RequireColumn("CLASS");
            var video = Path.GetFileNameWithoutExtension(file);
            foreach (var row in reader.ReadRecords())
            {
                comments.Add(new YouTubeComment(video, row["CONTENT"] ?? "", int.Parse(row["CLASS"]!, CultureInfo.InvariantCulture)));
            }
        }

        return comments;
    }

    public static int Run(string? directory, TextWriter output)
    {
        directory ??= DefaultDataDirectory;
        var comments = LoadComments(directory);
        var applier = new LabelingFunctionApplier<string>(YouTubeSpamLfs.All, YouTubeSpamLfs.Cardinality);
        var matrix = applier.Apply(comments.Select(c => c.Content).ToArray()).Matrix;
        var summary = LabelMatrixSummary.Create(matrix, comments.Select(c => c.Class).ToArray());

        output.WriteLine($"YouTube spam: {comments.Count} comments from {comments.Select(c => c.Video).Distinct().Count()} videos, {matrix.LfCount} LFs");
        output.WriteLine($"label coverage {summary.LabelCoverage:P1}, overlap {summary.LabelOverlap:P1}, conflict {summary.LabelConflict:P1}");
        output.WriteLine();
        output.WriteLine($"{"LF",-18} {"polarity",-9} {"coverage",9} {"overlaps",9} {"conflicts",9} {"correct",8} {"incorrect",9} {"emp.acc",8}");
        foreach (var lf in summary.LabelingFunctions)
        {
            var polarity = "[" + string.Join(",", lf.Polarity) + "]";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{lf.Name,-18} {polarity,-9} {lf.Coverage,9:F3} {lf.Overlaps,9:F3} {lf.Conflicts,9:F3} {lf.Correct,8} {lf.Incorrect,9} {lf.EmpiricalAccuracy,8:F3}"));
        }

        return 0;
    }
}
