using System.Globalization;
using System.Text.Json;
using Skein.IO;
using Skein.Onnx;
using Skein.Selection;

namespace Skein.Examples;

/// <summary>
/// <c>skein demo</c>'s flow written against the library alone: the bundled YouTube comments, 7 keyword LFs and a
/// zero-shot MiniLM LF, <see cref="TextAutoPipeline"/> choosing the label model, the end model's budget and soft or
/// hard labels on a dev split, then scores on dev or on <c>--test FILE</c>. <c>--json</c> prints the same JSON as
/// <c>skein demo --json</c>.
/// </summary>
internal static class AutoPipelineDemo
{
    public const string Usage = """
          demo [--test FILE] [--json] [--seed N] [--cache DIR]
              skein demo's flow through AutoPipeline: label model and end model chosen on a dev split of the bundled
              YouTube comments; with --test, scored on FILE (UCI YouTube CSV) after leaving its comments out of training.
              --json prints {"label_model": {name, accuracy}, "end_model": {name, accuracy}} like `skein demo --json`.
        """;

    private sealed record Comment(string Id, string Text, int Label);

    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        string? testFile = null, cache = null;
        bool json = false;
        int seed = 1;
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--test" when i + 1 < args.Length: testFile = args[++i]; break;
                case "--cache" when i + 1 < args.Length: cache = args[++i]; break;
                case "--seed" when i + 1 < args.Length: seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json": json = true; break;
                default:
                    log.WriteLine(Usage);
                    return 2;
            }
        }

        var test = testFile is null ? null : Read(testFile);
        var all = Directory.GetFiles(YouTubeDemo.DefaultDataDirectory, "*.csv").Order(StringComparer.Ordinal).SelectMany(Read).ToList();
        if (test is not null)
        {
            // Never train on a test comment.
            var ids = test.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            all.RemoveAll(c => ids.Contains(c.Id));
        }

        var (trainRows, devRows) = DevSplit.Shuffle(all.Count, seed);
        var train = trainRows.Select(i => all[i]).ToArray();
        var dev = devRows.Select(i => all[i]).ToArray();

        using var model = new SentenceEmbedder();
        var embedder = new CachedSentenceEmbedder(model, cache ?? Path.Combine(Path.GetTempPath(), "skein-examples", "embeddings"));
        var embedded = TextAutoPipeline.Embed(embedder, [.. train.Concat(dev).Concat(test ?? []).Select(c => c.Text)]);
        var devItems = embedded[train.Length..(train.Length + dev.Length)];
        var devGold = dev.Select(c => c.Label).ToArray();

        var fitted = TextAutoPipeline.For(YouTubeSpamLfs.All, YouTubeSpamLfs.Cardinality, embedder, YouTubeSpamLfs.ZeroShotPrototypes)
            .WithDev(devItems, devGold)
            .WithSeed(seed)
            .Fit(embedded[..train.Length]);
        var scores = test is null
            ? fitted.Evaluate(devItems, devGold)
            : fitted.Evaluate(embedded[(train.Length + dev.Length)..], [.. test.Select(c => c.Label)]);

        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var (key, name, accuracy) in new[] { ("label_model", fitted.LabelModelName, scores.LabelModel), ("end_model", fitted.EndModel.ModelName, scores.EndModel) })
                {
                    writer.WriteStartObject(key);
                    writer.WriteString("name", name);
                    writer.WriteNumber("accuracy", Math.Round(accuracy, 4));
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return 0;
        }

        output.WriteLine($"{train.Length} train / {dev.Length} dev comments{(test is null ? "" : $", {test.Count} test")}; scores on {(test is null ? "dev" : "test")}");
        foreach (var row in fitted.Table)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(row.Chosen ? "*" : " ")} {row.Stage,-12} {row.Name,-28} {row.Setting,-34} dev {row.Score:0.000}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"label model {fitted.LabelModelName}: {scores.LabelModel:0.000}; end model {fitted.EndModel.ModelName}: {scores.EndModel:0.000}"));
        return 0;
    }

    /// <summary>A UCI YouTube CSV (COMMENT_ID, CONTENT, CLASS), through the library's tabular reader.</summary>
    private static List<Comment> Read(string path)
    {
        using var reader = TabularReader.Open(path);
        foreach (var column in new[] { "COMMENT_ID", "CONTENT", "CLASS" })
        {
            reader.RequireColumn(column);
        }

        return [.. reader.ReadRecords().Select(r => new Comment(
            r["COMMENT_ID"] ?? r.Row.ToString(CultureInfo.InvariantCulture),
            r["CONTENT"] is { Length: > 0 } text ? text : throw new DataFormatException("empty CONTENT.", path, r.Row, "CONTENT"),
            r["CLASS"]?.Trim() switch
            {
                "0" => 0,
                "1" => 1,
                var other => throw new DataFormatException($"CLASS must be 0 or 1, not '{other}'.", path, r.Row, "CLASS"),
            }))];
    }
}
