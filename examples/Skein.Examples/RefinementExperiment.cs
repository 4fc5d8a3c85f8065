using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Data;
using Skein.EndModels;
using Skein.Evaluation;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;
using Skein.Onnx;
using Skein.Refinement;

namespace Skein.Examples;

/// <summary>
/// Label refinement from features vs none on WRENCH youtube, sms and trec: majority vote labels the train rows, the
/// labels are refined (or not) with leave-one-out kNN smoothing or a class-conditional Gaussian mixture over frozen
/// MiniLM embeddings, and a softmax-regression end model on the same embeddings learns from the covered rows (or, in
/// the "+ uncovered" variants, from every row). The valid split is halved (seeded) into a selection half, on which a
/// user would pick each refiner's settings, and an evaluation half that is only scored. youtube has no valid.json
/// here: a seeded 25% of its train rows (with gold) stands in. Labeled-id rows are dropped from train as WRENCH does.
/// </summary>
internal static class RefinementExperiment
{
    private const int SplitSeed = 1;

    internal sealed record Split(string[] Texts, int[] Gold, LabelMatrix Matrix);

    private sealed record Outcome(string Name, string Family, double TrainLabelAccuracy, int Rows, double Select, double Eval, double Valid, double Seconds);

    public static int Run(string dataDir, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        using var embedder = new SentenceEmbedder();
        var cached = new CachedSentenceEmbedder(embedder, Path.Combine(Path.GetTempPath(), "skein-refinement-embeddings"));
        foreach (var dataset in new[] { "youtube", "sms", "trec" })
        {
            var dir = Path.Combine(dataDir, "wrench_" + dataset);
            var (train, valid) = TrainAndValid(dir, dataset);

            var metric = WrenchProtocol.DefaultMetric(dataset);
            var halves = Shuffle(valid.Gold.Length, SplitSeed + 1);
            int half = valid.Gold.Length / 2;
            int[] selectRows = [.. halves[..half].Order()], evalRows = [.. halves[half..].Order()];

            var xTrain = cached.Encode(train.Texts);
            var xValid = cached.Encode(valid.Texts);
            var validFeatures = DenseMatrix.FromRows([.. xValid.Select(r => Array.ConvertAll(r, v => (double)v))]);
            var trainFeatures = DenseMatrix.FromRows([.. xTrain.Select(r => Array.ConvertAll(r, v => (double)v))]);
            var mv = new MajorityVote().Fit(train.Matrix).PredictProba(train.Matrix);
            var covered = train.Matrix.CoveredRows();
            int[] coveredRows = [.. Enumerable.Range(0, covered.Length).Where(r => covered[r])];
            int[] allRows = [.. Enumerable.Range(0, covered.Length)];
            output.WriteLine($"{dataset}: {train.Gold.Length} train rows ({coveredRows.Length} covered), {valid.Gold.Length} valid ({selectRows.Length} selection + {evalRows.Length} evaluation), metric {metric}");

            Outcome Evaluate(string name, string family, ProbabilisticLabels labels, bool withUncovered, double refineSeconds)
            {
                var watch = Stopwatch.StartNew();
                var rows = withUncovered ? allRows : coveredRows;
                var model = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = SplitSeed }).Fit(trainFeatures.SelectRows(rows), labels.SelectRows(rows));
                var probabilities = model.PredictProba(validFeatures);
                double Score(int[] subset) => WrenchProtocol.Score([.. subset.Select(i => valid.Gold[i])], probabilities.SelectRows(subset), metric);
                var argMax = labels.ArgMax();
                double labelAccuracy = 100.0 * rows.Count(r => argMax[r] == train.Gold[r]) / rows.Length;
                var outcome = new Outcome(name, family, labelAccuracy, rows.Length, Score(selectRows), Score(evalRows), Score(allValidRows()), refineSeconds + watch.Elapsed.TotalSeconds);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: labels {labelAccuracy:F1}, select {outcome.Select:F2}, eval {outcome.Eval:F2}, valid {outcome.Valid:F2} ({outcome.Seconds:F1} s)"));
                return outcome;

                int[] allValidRows() => [.. Enumerable.Range(0, valid.Gold.Length)];
            }

            var outcomes = new List<Outcome> { Evaluate("none (majority vote)", "none", mv, withUncovered: false, 0) };
            foreach (int neighbours in new[] { 10, 30 })
            {
                foreach (double self in new[] { 0.3, 0.6 })
                {
                    var watch = Stopwatch.StartNew();
                    var refined = KnnLabelRefinement.Refine(xTrain, mv, covered, new KnnRefinementOptions { Neighbors = neighbours, SelfWeight = self });
                    double seconds = watch.Elapsed.TotalSeconds;
                    string name = string.Create(CultureInfo.InvariantCulture, $"kNN k={neighbours} α={self}");
                    outcomes.Add(Evaluate(name, "knn", refined, false, seconds));
                    outcomes.Add(Evaluate(name + " + uncovered", "knn + uncovered", refined, true, seconds));
                }
            }

            foreach (var covariance in new[] { GaussianCovariance.SharedDiagonal, GaussianCovariance.Diagonal })
            {
                foreach (double scale in new[] { 1.0, 0.1, 0.01 })
                {
                    var watch = Stopwatch.StartNew();
                    var refined = GaussianMixtureRefinement.Refine(xTrain, mv, covered, new GaussianMixtureRefinementOptions { Covariance = covariance, LikelihoodScale = scale });
                    double seconds = watch.Elapsed.TotalSeconds;
                    string name = string.Create(CultureInfo.InvariantCulture, $"GMM {(covariance == GaussianCovariance.SharedDiagonal ? "shared" : "per-class")} diag, scale {scale}");
                    outcomes.Add(Evaluate(name, "gmm", refined, false, seconds));
                    outcomes.Add(Evaluate(name + " + uncovered", "gmm + uncovered", refined, true, seconds));
                }
            }

            output.WriteLine();
            output.WriteLine($"### {dataset} (MiniLM features, softmax regression; {metric}, %)");
            output.WriteLine();
            output.WriteLine("| refinement | train rows | train label acc. | selection | evaluation | whole valid | seconds |");
            output.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var o in outcomes)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {o.Name} | {o.Rows} | {o.TrainLabelAccuracy:F1} | {o.Select:F2} | {o.Eval:F2} | {o.Valid:F2} | {o.Seconds:F1} |"));
            }

            output.WriteLine();
            output.WriteLine("| family (setting chosen on selection) | selection | evaluation |");
            output.WriteLine("|---|---|---|");
            foreach (var family in outcomes.GroupBy(o => o.Family))
            {
                var best = family.OrderByDescending(o => o.Select).First();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {best.Name} | {best.Select:F2} | {best.Eval:F2} |"));
            }

            output.WriteLine();
        }

        output.WriteLine($"total {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    /// <summary>
    /// train.json (labeled_ids rows dropped for youtube and trec) and valid.json; without valid.json (youtube here) a
    /// seeded quarter of train stands in for valid.
    /// </summary>
    internal static (Split Train, Split Valid) TrainAndValid(string dir, string dataset)
    {
        var train = Load(Path.Combine(dir, "train.json"), dataset is "youtube" or "trec" ? LabeledIds(dir) : []);
        if (File.Exists(Path.Combine(dir, "valid.json")))
        {
            return (train, Load(Path.Combine(dir, "valid.json"), []));
        }

        var order = Shuffle(train.Gold.Length, SplitSeed);
        int held = train.Gold.Length / 4;
        return (Subset(train, order[held..]), Subset(train, order[..held]));
    }

    internal static int[] Shuffle(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    internal static Split Subset(Split split, int[] rows)
    {
        rows = [.. rows.Order()];
        int m = split.Matrix.LfCount;
        var votes = new sbyte[rows.Length * m];
        for (int i = 0; i < rows.Length; i++)
        {
            split.Matrix.Row(rows[i]).CopyTo(votes.AsSpan(i * m, m));
        }

        return new Split([.. rows.Select(r => split.Texts[r])], [.. rows.Select(r => split.Gold[r])],
            LabelMatrix.FromRowMajor(votes, split.Matrix.LfNames, split.Matrix.Cardinality));
    }

    internal static HashSet<string> LabeledIds(string dir)
    {
        var path = Path.Combine(dir, "labeled_ids.json");
        if (!File.Exists(path))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("labeled_ids").EnumerateArray()
            .Select(id => id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText())];
    }

    internal static Split Load(string path, HashSet<string> drop)
    {
        var data = WrenchDataset.Load(path);
        var split = new Split([.. data.Texts.Select(t => t ?? "")], [.. data.Gold], data.Matrix);
        return Subset(split, [.. Enumerable.Range(0, data.Ids.Count).Where(i => !drop.Contains(data.Ids[i]))]);
    }
}
