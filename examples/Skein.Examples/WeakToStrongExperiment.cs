using System.Globalization;
using nietras.SeparatedValues;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.Onnx;
using Skein.Training;

namespace Skein.Examples;

/// <summary>
/// The weak-to-strong experiment of docs/weak-to-strong.md: data preparation for Sentiment140 and AG News, and naive
/// (xent) versus auxiliary-confidence (aux) students over several seeds, sharing each seed's weak model and ceiling.
/// </summary>
internal static class WeakToStrongDemo
{
    public const string Usage = """
          sentiment140-csv <dir> <out.csv> [--test-out FILE --test-rows N]
              positive.txt / negative.txt (one tweet per line) → text,label CSV with Sentiment140's polarity codes
              (4 positive, 0 negative); optionally a seeded, stratified test CSV of N rows held out from the rest.
          ag-news-csv <ag_news/test.csv> <data-out.csv> <test-out.csv> [--test-rows N]
              AG News (class,title,description; classes 1–4, no header) → text,label CSVs, text = title + " " +
              description; a seeded stratified test split of N rows (default 1900).
          w2s <data.csv> <test.csv> [--seeds N] [--max-rows N] [--dev] [--alpha-max A] [--warmup W] [--epochs E]
              [--hardening marginals|argmax] [--ensemble K]
              Weak softmax-tfidf → strong mlp-minilm, xent and aux students per seed; --dev scores on a stratified 20% of
              the data instead of the test file (for choosing settings without touching the test set).
        """;

    public static int SentimentCsv(string[] args)
    {
        string dir = args[1], output = args[2];
        string? testOut = Flag(args, "--test-out");
        int testRows = int.Parse(Flag(args, "--test-rows") ?? "2000", CultureInfo.InvariantCulture);
        var rows = new List<(string Text, string Label)>();
        foreach (var (file, label) in new[] { ("negative.txt", "0"), ("positive.txt", "4") })
        {
            foreach (var line in File.ReadLines(Path.Combine(dir, file)))
            {
                // Tweets keep their text as is (a trailing space included); blank lines are not tweets.
                if (!string.IsNullOrWhiteSpace(line))
                {
                    rows.Add((line, label));
                }
            }
        }

        var labels = rows.Select(r => r.Label == "4" ? 1 : 0).ToArray();
        int[] test = testOut is null ? [] : HeldOut(labels, 2, testRows, seed: 2009);
        var testSet = test.ToHashSet();
        Write(output, Enumerable.Range(0, rows.Count).Where(i => !testSet.Contains(i)).Select(i => rows[i]));
        Console.WriteLine($"wrote {output}: {rows.Count - test.Length:N0} rows");
        if (testOut is not null)
        {
            Write(testOut, test.Select(i => rows[i]));
            Console.WriteLine($"wrote {testOut}: {test.Length:N0} rows");
        }

        return 0;
    }

    public static int AgNewsCsv(string[] args)
    {
        string input = args[1], dataOut = args[2], testOut = args[3];
        int testRows = int.Parse(Flag(args, "--test-rows") ?? "1900", CultureInfo.InvariantCulture);
        var rows = new List<(string Text, string Label)>();
        using (var reader = Sep.Reader(o => o with { HasHeader = false, Unescape = true }).FromFile(input))
        {
            foreach (var row in reader)
            {
                // AG News escapes line breaks inside a description as a backslash.
                var text = $"{row[1].ToString()} {row[2].ToString().Replace("\\", " ", StringComparison.Ordinal)}";
                rows.Add((text, row[0].ToString()));
            }
        }

        var labels = rows.Select(r => int.Parse(r.Label, CultureInfo.InvariantCulture) - 1).ToArray();
        var test = HeldOut(labels, 4, testRows, seed: 2015).ToHashSet();
        Write(dataOut, Enumerable.Range(0, rows.Count).Where(i => !test.Contains(i)).Select(i => rows[i]));
        Write(testOut, test.Order().Select(i => rows[i]));
        Console.WriteLine($"wrote {dataOut}: {rows.Count - test.Count:N0} rows; {testOut}: {test.Count:N0} rows");
        return 0;
    }

    public static int Run(string[] args)
    {
        string dataPath = args[1], testPath = args[2];
        int seeds = int.Parse(Flag(args, "--seeds") ?? "3", CultureInfo.InvariantCulture);
        int? maxRows = Flag(args, "--max-rows") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : null;
        int epochs = int.Parse(Flag(args, "--epochs") ?? WeakToStrongPresets.MlpEpochs.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var auxiliary = new AuxiliaryConfidenceOptions
        {
            AlphaMax = double.Parse(Flag(args, "--alpha-max") ?? "0.5", CultureInfo.InvariantCulture),
            WarmupFraction = double.Parse(Flag(args, "--warmup") ?? "0.1", CultureInfo.InvariantCulture),
            Hardening = Flag(args, "--hardening") == "argmax" ? AuxiliaryHardening.Argmax : AuxiliaryHardening.MatchWeakMarginals,
        };
        int ensemble = int.Parse(Flag(args, "--ensemble") ?? "1", CultureInfo.InvariantCulture);

        var (texts, rawLabels) = ReadCsv(dataPath);
        var classes = rawLabels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var labels = rawLabels.Select(l => Array.IndexOf(classes, l)).ToArray();
        if (maxRows is { } cap)
        {
            var keep = WeakToStrongExperiment.Subsample(labels, classes.Length, cap, seed: 0);
            texts = [.. keep.Select(i => texts[i])];
            labels = [.. keep.Select(i => labels[i])];
        }

        string[] testTexts;
        int[] testLabels;
        if (args.Contains("--dev"))
        {
            // Development split: a stratified fifth of the (subsampled) data is the evaluation set; the test file is not read.
            var dev = HeldOut(labels, classes.Length, labels.Length / 5, seed: 77).ToHashSet();
            testTexts = [.. dev.Order().Select(i => texts[i])];
            testLabels = [.. dev.Order().Select(i => labels[i])];
            var rest = Enumerable.Range(0, labels.Length).Where(i => !dev.Contains(i)).ToArray();
            texts = [.. rest.Select(i => texts[i])];
            labels = [.. rest.Select(i => labels[i])];
        }
        else
        {
            var (t, l) = ReadCsv(testPath);
            testTexts = t;
            testLabels = [.. l.Select(x => Array.IndexOf(classes, x))];
        }

        Console.Error.WriteLine($"{labels.Length:N0} data rows, {testLabels.Length:N0} evaluation rows{(args.Contains("--dev") ? " (dev split of the data)" : "")}, " +
            $"classes {string.Join(", ", classes)}; MLP epochs {epochs}, α_max {auxiliary.AlphaMax}, warm-up {auxiliary.WarmupFraction}, {auxiliary.Hardening}, " +
            $"weak ensemble {ensemble}");

        var cache = Environment.GetEnvironmentVariable("SKEIN_EMBEDDING_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "skein", "embeddings");
        using var inner = new SentenceEmbedder();
        var embedder = new CachedSentenceEmbedder(inner, cache);
        FeatureMatrix Embed(IReadOnlyList<string> items)
        {
            var vectors = embedder.Encode(items);
            Console.Error.WriteLine($"embedded {items.Count:N0} texts ({embedder.Hits:N0} cache hits so far)");
            return DenseMatrix.FromRowMajor(vectors.SelectMany(v => v).ToArray(), embedder.Dimension);
        }

        var weak = new WeakToStrongView<string>("softmax-tfidf", WeakToStrongPresets.BagOfWords, WeakToStrongPresets.Softmax);
        var strong = new WeakToStrongView<string>("mlp-minilm", Embed,
            seed => new Mlp(WeakToStrongPresets.Mlp(seed).Options with { Epochs = epochs }));
        var experiment = new WeakToStrongExperiment(new WeakToStrongOptions
        {
            Seeds = [.. Enumerable.Range(0, seeds)],
            Auxiliary = auxiliary,
            WeakEnsembleSize = ensemble,
        });
        var result = experiment.Run(texts, labels, testTexts, testLabels, classes.Length, weak, strong, new Lines());

        Console.WriteLine("| seed | weak | weak labels | ceiling | w2s xent | w2s aux | PGR xent | PGR aux | aux overruled |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in result.Seeds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s.Seed} | {s.Weak * 100:F2} | {s.WeakLabelAccuracy * 100:F2} | {s.Ceiling * 100:F2} | {s.Students[0].Accuracy * 100:F2} | " +
                $"{s.Students[1].Accuracy * 100:F2} | {Pgr(s.Students[0].Pgr)} | {Pgr(s.Students[1].Pgr)} | {s.Students[1].OverruledShare:P1} |"));
        }

        var xent = result.Student(WeakToStrongLoss.CrossEntropy);
        var aux = result.Student(WeakToStrongLoss.AuxiliaryConfidence);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean | {result.MeanWeak * 100:F2} | {result.MeanWeakLabelAccuracy * 100:F2} | {result.MeanCeiling * 100:F2} | {xent.MeanAccuracy * 100:F2} | " +
            $"{aux.MeanAccuracy * 100:F2} | {Pgr(xent.Pgr)} | {Pgr(aux.Pgr)} | |"));
        return 0;
    }

    private static string Pgr(double? pgr) => pgr?.ToString("F3", CultureInfo.InvariantCulture) ?? "-";

    private static string? Flag(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>A seeded, stratified set of about <paramref name="rows"/> row indices (the subsample of the experiment class).</summary>
    private static int[] HeldOut(int[] labels, int k, int rows, int seed) => WeakToStrongExperiment.Subsample(labels, k, rows, seed);

    private static (string[] Texts, string[] Labels) ReadCsv(string path)
    {
        using var reader = TabularReader.Open(path);
        reader.RequireColumn("text");
        reader.RequireColumn("label");
        var texts = new List<string>();
        var labels = new List<string>();
        foreach (var record in reader.ReadRecords())
        {
            texts.Add(record["text"] ?? string.Empty);
            labels.Add(record["label"] ?? string.Empty);
        }

        return ([.. texts], [.. labels]);
    }

    private static void Write(string path, IEnumerable<(string Text, string Label)> rows)
    {
        using var writer = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(path);
        foreach (var (text, label) in rows)
        {
            using var row = writer.NewRow();
            row["text"].Set(text);
            row["label"].Set(label);
        }
    }

    private sealed class Lines : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }
}
