using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skein.Data;
using Skein.EndModels;
using Skein.Evaluation;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;
using Skein.Pipeline;
using Skein.Training;

namespace Skein.Examples;

/// <summary>
/// Self-training vs none on WRENCH youtube and trec, the way <c>skein wrench --end-model softmax --self-train</c> runs it:
/// majority vote labels the covered train rows, a TF-IDF softmax end model learns from them (budget chosen on a
/// selection split), then self-training pseudo-labels the uncovered train rows. Every hyper-parameter is chosen on the
/// selection split; the evaluation split is only scored. youtube has only train.json: a seeded 25% of it (with gold) is
/// the evaluation split and another 15% the selection split. trec's valid.json is halved (seeded) into selection and
/// evaluation. Labeled-id rows are dropped from train, as in WRENCH's tables.
/// </summary>
internal static class SelfTrainingExperiment
{
    private static readonly int[] Seeds = [1, 2, 3];
    private static readonly int[] Budgets = [25, 50, 100, 200];
    private const int Rounds = 3;

    // trec's L-BFGS fits take ~10 s each on 2 shared cores, so it gets a smaller grid (and no curriculum) to keep the
    // whole run near 10 minutes.
    private static double[] Thresholds(string dataset) => dataset == "trec" ? [0.8, 0.9, 0.95] : [0.7, 0.8, 0.9, 0.95];

    private sealed record Split(string[] Texts, int[] Gold, LabelMatrix Matrix);

    private sealed record Scores(double Select, double Eval, int Rows, double Seconds);

    public static int Run(string dataDir, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        foreach (var dataset in new[] { "youtube", "trec" })
        {
            var dir = Path.Combine(dataDir, "wrench_" + dataset);
            var train = Load(Path.Combine(dir, "train.json"), DropIds(dir));
            var valid = File.Exists(Path.Combine(dir, "valid.json")) ? Load(Path.Combine(dir, "valid.json"), []) : null;
            var results = new Dictionary<string, List<Scores>>();
            var chosen = new List<(double Threshold, Scores Scores)>();
            foreach (int seed in Seeds)
            {
                var (fit, select, eval) = Splits(train, valid, seed);
                var perMethod = RunSeed(fit, select, eval, seed, output, dataset);
                foreach (var (name, scores) in perMethod)
                {
                    (results.TryGetValue(name, out var list) ? list : results[name] = []).Add(scores);
                }

                // The threshold a user would pick: the best selection score among the fixed thresholds (ties: the higher θ).
                var best = Thresholds(dataset).Select(t => (t, perMethod[Name(t)])).OrderByDescending(p => p.Item2.Select).ThenByDescending(p => p.t).First();
                chosen.Add(best);
            }

            output.WriteLine();
            output.WriteLine($"### {dataset} (mv → tfidf softmax; {Seeds.Length} seeds; at most {Rounds} rounds; accuracy %, mean ± sd)");
            output.WriteLine();
            output.WriteLine("| method | selection | evaluation | pool rows pseudo-labelled | seconds |");
            output.WriteLine("|---|---|---|---|---|");
            foreach (var (name, list) in results)
            {
                output.WriteLine($"| {name} | {MeanSd(list.Select(s => s.Select))} | {MeanSd(list.Select(s => s.Eval))} | " +
                    $"{list.Average(s => s.Rows):F0} | {list.Average(s => s.Seconds):F1} |");
            }

            output.WriteLine($"| fixed θ chosen on selection (θ = {string.Join(", ", chosen.Select(c => c.Threshold.ToString(CultureInfo.InvariantCulture)))}) | " +
                $"{MeanSd(chosen.Select(c => c.Scores.Select))} | {MeanSd(chosen.Select(c => c.Scores.Eval))} | {chosen.Average(c => c.Scores.Rows):F0} | |");
        }

        output.WriteLine();
        output.WriteLine($"total {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static string Name(double threshold) => $"self-training, fixed θ = {threshold.ToString(CultureInfo.InvariantCulture)}";

    private static Dictionary<string, Scores> RunSeed(Split fit, Split select, Split eval, int seed, TextWriter output, string dataset)
    {
        int k = fit.Matrix.Cardinality;
        var labelModel = LabelModelCatalog.MajorityVote.CreateTrainer(new LabelModelSettings
        {
            ClassBalance = ClassBalance.FromLabels(select.Gold, k), Seed = seed,
        }).Fit(fit.Matrix);
        var probabilities = labelModel.PredictProba(fit.Matrix);
        var covered = new List<int>();
        var uncovered = new List<int>();
        for (int r = 0; r < fit.Matrix.RowCount; r++)
        {
            bool any = false;
            foreach (var v in fit.Matrix.Row(r))
            {
                any |= v != LabelMatrix.Abstain;
            }

            (any ? covered : uncovered).Add(r);
        }

        // Covered rows first, then the pool, as WrenchProtocol lays them out.
        int[] order = [.. covered, .. uncovered];
        var featurizer = Featurizer.TfIdf<string>(t => t, new HashedNGramOptions { Dimension = 1 << 18 }).Fit([.. covered.Select(r => fit.Texts[r])]);
        var x = featurizer.Transform([.. order.Select(r => fit.Texts[r])]);
        var xCovered = x.SelectRows([.. Enumerable.Range(0, covered.Count)]);
        var xSelect = featurizer.Transform(select.Texts);
        var xEval = featurizer.Transform(eval.Texts);
        var labels = new double[order.Length * k];
        for (int i = 0; i < order.Length; i++)
        {
            probabilities.Row(order[i]).CopyTo(labels.AsSpan(i * k, k));
        }

        var all = ProbabilisticLabels.FromRowMajor(labels, k);
        var coveredLabels = ProbabilisticLabels.FromRowMajor(labels[..(covered.Count * k)], k);
        var pool = Enumerable.Range(0, order.Length).Select(i => i >= covered.Count).ToArray();
        double Score(EndModel m, FeatureMatrix features, Split split) => WrenchProtocol.Score(split.Gold, m.PredictProba(features), WrenchMetric.Accuracy);

        var clock = Stopwatch.StartNew();
        IEndModelTrainer? trainer = null;
        EndModel? model = null;
        double bestSelect = double.NegativeInfinity;
        foreach (int budget in Budgets)
        {
            var candidate = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = seed, MaxIterations = budget });
            var m = candidate.Fit(xCovered, coveredLabels);
            double s = Score(m, xSelect, select);
            if (s > bestSelect)
            {
                (trainer, model, bestSelect) = (candidate, m, s);
            }
        }

        var results = new Dictionary<string, Scores>
        {
            ["end model only (no self-training)"] = new(bestSelect, Score(model!, xEval, eval), 0, clock.Elapsed.TotalSeconds),
        };
        output.WriteLine($"{dataset} seed {seed}: {covered.Count} covered + {uncovered.Count} uncovered train rows, {select.Gold.Length} selection, " +
            $"{eval.Gold.Length} evaluation; end model {results.First().Value}");

        var methods = Thresholds(dataset).Select(t => (Name(t), new SelfTrainingOptions { Threshold = t, MaxIterations = Rounds })).Append(
            ("self-training, class-balanced top-k (10% of pool a round)", new SelfTrainingOptions
            {
                Selection = PseudoLabelSelection.TopKPerClass, RowsPerRound = Math.Max(1, uncovered.Count / 10), MaxIterations = Rounds,
            })).ToList();
        if (dataset != "trec")
        {
            methods.Add(("self-training, curriculum (50% steps)", new SelfTrainingOptions
            {
                Selection = PseudoLabelSelection.PercentileCurriculum, CurriculumStep = 0.5, MaxIterations = Rounds,
            }));
        }

        foreach (var (name, options) in methods)
        {
            clock.Restart();
            var result = new SelfTraining(trainer!, options).Fit(x, all, pool);
            results[name] = new Scores(Score(result.Model, xSelect, select), Score(result.Model, xEval, eval),
                result.LabeledAtIteration.Count(r => r > 0), clock.Elapsed.TotalSeconds);
            output.WriteLine($"  {name}: {results[name]} ({result.Iterations} rounds, {result.Termination})");
        }

        return results;
    }

    private static (Split Fit, Split Select, Split Eval) Splits(Split train, Split? valid, int seed)
    {
        if (valid is null)
        {
            var order = Shuffle(train.Gold.Length, seed);
            int evalCount = train.Gold.Length / 4, selectCount = (int)(train.Gold.Length * 0.15);
            return (Subset(train, order[(evalCount + selectCount)..]), Subset(train, order[evalCount..(evalCount + selectCount)]), Subset(train, order[..evalCount]));
        }

        var half = Shuffle(valid.Gold.Length, seed);
        int h = valid.Gold.Length / 2;
        return (train, Subset(valid, half[..h]), Subset(valid, half[h..]));
    }

    private static int[] Shuffle(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    private static Split Subset(Split split, int[] rows)
    {
        Array.Sort(rows);
        int m = split.Matrix.LfCount;
        var votes = new sbyte[rows.Length * m];
        for (int i = 0; i < rows.Length; i++)
        {
            split.Matrix.Row(rows[i]).CopyTo(votes.AsSpan(i * m, m));
        }

        return new Split([.. rows.Select(r => split.Texts[r])], [.. rows.Select(r => split.Gold[r])],
            LabelMatrix.FromRowMajor(votes, split.Matrix.LfNames, split.Matrix.Cardinality));
    }

    private static HashSet<string> DropIds(string dir)
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

    private static Split Load(string path, HashSet<string> drop)
    {
        var data = WrenchDataset.Load(path);
        var split = new Split([.. data.Texts.Select(t => t ?? "")], [.. data.Gold], data.Matrix);
        return Subset(split, [.. Enumerable.Range(0, data.Ids.Count).Where(i => !drop.Contains(data.Ids[i]))]);
    }

    private static string MeanSd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return $"{mean:F2} ± {sd:F2}";
    }
}
