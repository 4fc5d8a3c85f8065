using System.Globalization;
using Skein.IO;

namespace Skein.Cli.Demo;

/// <summary>One comment of the UCI YouTube Spam Collection.</summary>
internal sealed record YouTubeComment(string Id, string Text, int Label);

/// <summary>Reads CSVs in the UCI YouTube Spam Collection format (COMMENT_ID, AUTHOR, DATE, CONTENT, CLASS).</summary>
internal static class YouTubeComments
{
    /// <summary>The columns every file must have, so a wrong file fails before the slow embedding step.</summary>
    public static readonly string[] Columns = ["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"];

    /// <summary>The bundled videos 01–04, shipped next to the assembly.</summary>
    public static string BundledDirectory => Path.Combine(AppContext.BaseDirectory, "demo-data", "youtube");

    /// <summary>The bundled comment files in video order.</summary>
    public static IReadOnlyList<string> BundledFiles()
    {
        var dir = BundledDirectory;
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.csv").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"the bundled YouTube comments are missing from {dir}; rebuild or reinstall skein.", dir);
        }

        return files;
    }

    /// <summary>Reads one file; a missing column, empty text or a CLASS other than 0/1 is a data error naming the file.</summary>
    public static IReadOnlyList<YouTubeComment> Read(string path)
    {
        using var reader = TabularReader.Open(path);
        foreach (var column in Columns)
        {
            reader.RequireColumn(column);
        }

        var comments = new List<YouTubeComment>();
        foreach (var record in reader.ReadRecords())
        {
            var text = record["CONTENT"];
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new DataFormatException("empty CONTENT.", path, record.Row, "CONTENT");
            }

            int label = record["CLASS"]?.Trim() switch
            {
                "0" => 0,
                "1" => 1,
                var other => throw new DataFormatException(
                    $"CLASS must be 0 (ham) or 1 (spam), not '{other}'.", path, record.Row, "CLASS"),
            };
            comments.Add(new YouTubeComment(record["COMMENT_ID"] ?? record.Row.ToString(CultureInfo.InvariantCulture), text, label));
        }

        if (comments.Count == 0)
        {
            throw new DataFormatException("no comments.", path);
        }

        return comments;
    }
}
