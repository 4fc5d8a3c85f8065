using System.Globalization;
using Skein.Analysis;
using Skein.Data;
using Skein.EndModels;
using Skein.Examples;
using Skein.Onnx;
using Skein.Selection;

namespace Skein.Cli.Demo;

/// <summary>What <c>skein demo</c> is asked to do.</summary>
internal sealed record DemoOptions(string OutDirectory, string? TestFile, int Seed, double? DevFraction = null);

/// <summary>A model's accuracy on the dev split and (with a test file) on the test comments.</summary>
internal sealed record ModelScore(string Name, double DevAccuracy, double? TestAccuracy);

/// <summary>Everything the demo measured, for the console tables, the JSON line and the report.</summary>
internal sealed record DemoResult(
    int TrainCount,
    int DevCount,
    int? TestCount,
    LabelMatrix TrainMatrix,
    LabelMatrixSummary TrainSummary,
    IReadOnlyList<ModelScore> LabelModels,
    ModelScore ChosenLabelModel,
    ModelScore MajorityVote,
    ModelScore EndModel,
    Reliability LabelModelReliability,
    Reliability EndModelReliability,
    IReadOnlyList<EpochRecord> History,
    int[,] Confusion,
    string EvaluatedOn,
    int EndModelTrainRows,
    TimeSpan Elapsed);

/// <summary>
/// <c>skein demo</c>'s flow: read the YouTube comments, split train/dev, embed, and hand everything to
/// <see cref="TextAutoPipeline"/> (7 keyword LFs + 1 zero-shot embedding LF → label model picked on dev → embeddings +
/// n-gram features → end model, budget and soft-or-hard labels picked on dev). This class only reads files and
/// collects what the tables and the report print.
/// </summary>
internal static class DemoPipeline
{
    public static readonly string[] ClassNames = ["HAM", "SPAM"];

    public static DemoResult Run(DemoOptions options, Action<string> progress)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Read the test file first: a wrong file should fail before the slow embedding step.
        IReadOnlyList<YouTubeComment>? test = options.TestFile is null ? null : YouTubeComments.Read(options.TestFile);
        var all = new List<YouTubeComment>();
        foreach (var file in YouTubeComments.BundledFiles())
        {
            all.AddRange(YouTubeComments.Read(file));
        }

        // Never train on a test comment: bundled comments whose id is in the test file are left out
        // (so --test with one bundled video gives a leave-one-video-out check).
        if (test is not null)
        {
            var testIds = test.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            int before = all.Count;
            all.RemoveAll(c => testIds.Contains(c.Id));
            if (all.Count < before)
            {
                progress($"left out {before - all.Count:N0} bundled comments that are in the test file");
            }
        }

        progress($"read {all.Count:N0} bundled comments{(test is null ? "" : $" and {test.Count:N0} test comments from {Path.GetFileName(options.TestFile)}")}");
        var (trainRows, devRows) = DevSplit.Shuffle(all.Count, options.Seed, options.DevFraction ?? DevSplit.DefaultFraction);
        var train = trainRows.Select(i => all[i]).ToArray();
        var dev = devRows.Select(i => all[i]).ToArray();
        progress($"split {train.Length:N0} train / {dev.Length:N0} dev (seed {options.Seed}); gold labels are used only on dev and test");

        var texts = train.Concat(dev).Concat(test ?? []).Select(c => c.Text).ToArray();
        using var embedder = new SentenceEmbedder();
        var cached = new CachedSentenceEmbedder(embedder, Path.Combine(options.OutDirectory, ".cache", "embeddings"));
        var embedded = Embed(cached, texts, progress);
        var trainItems = embedded[..train.Length];
        var devItems = embedded[train.Length..(train.Length + dev.Length)];
        var testItems = test is null ? null : embedded[(train.Length + dev.Length)..];
        var devGold = dev.Select(c => c.Label).ToArray();
        var testGold = test?.Select(c => c.Label).ToArray();

        var fitted = TextAutoPipeline.For(YouTubeSpamLfs.All, YouTubeSpamLfs.Cardinality, cached, YouTubeSpamLfs.ZeroShotPrototypes)
            .WithDev(devItems, devGold)
            .WithSeed(options.Seed)
            .Fit(trainItems, new Reporter<SelectionProgress>(p => progress(p.Message)));
        var summary = fitted.TrainSummary();
        progress($"applied {fitted.TrainMatrix.LfCount} LFs: coverage {summary.LabelCoverage:P1} of train; the end model learned from {fitted.Selection.TrainRows.Count:N0} covered rows ({fitted.Selection.Labels.ToString().ToLowerInvariant()} labels, {fitted.Selection.EndModelSetting})");
        var devEval = fitted.Evaluate(devItems, devGold);
        foreach (var lf in LabelMatrixSummary.Create(devEval.Matrix, devGold).LabelingFunctions)
        {
            progress($"  dev {lf.Name}: coverage {lf.Coverage:0.000} accuracy {lf.EmpiricalAccuracy:0.000}");
        }

        var testEval = testItems is null ? null : fitted.Evaluate(testItems, testGold!);
        var scores = devEval.LabelModels.Select((s, i) => new ModelScore(s.Name, s.Score, testEval?.LabelModels[i].Score)).ToArray();
        var chosen = scores.Single(s => s.Name == fitted.LabelModelName);
        var mv = scores.Single(s => s.Name == LabelModelCandidate.MajorityVote.Name);
        var endScore = new ModelScore(fitted.EndModel.ModelName, devEval.EndModel, testEval?.EndModel);

        // Calibration and the confusion matrix on the evaluation set (test when given, else dev).
        var evaluation = testEval ?? devEval;
        var evalGold = testGold ?? devGold;
        var confusion = new int[2, 2];
        var predicted = evaluation.EndModelProbabilities.ArgMax();
        for (int i = 0; i < evalGold.Length; i++)
        {
            confusion[evalGold[i], predicted[i]]++;
        }

        return new DemoResult(train.Length, dev.Length, test?.Count, fitted.TrainMatrix, summary, scores, chosen, mv, endScore,
            Calibration.Reliability(evaluation.LabelModelProbabilities, evalGold), Calibration.Reliability(evaluation.EndModelProbabilities, evalGold),
            fitted.EndModel.History, confusion, test is null ? "dev" : "test", fitted.Selection.TrainRows.Count, clock.Elapsed);
    }

    private static EmbeddedText[] Embed(CachedSentenceEmbedder cached, string[] texts, Action<string> progress)
    {
        int lastDecile = -1;
        var reporter = new Reporter<EmbeddingProgress>(p =>
        {
            int decile = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
            if (decile != lastDecile)
            {
                lastDecile = decile;
                progress($"embedding comments with MiniLM: {p.Done:N0}/{p.Total:N0}");
            }
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = TextAutoPipeline.Embed(cached, texts, reporter);
        progress(string.Create(CultureInfo.InvariantCulture,
            $"embedded {texts.Length:N0} comments in {clock.Elapsed.TotalSeconds:0.0}s ({cached.Hits:N0} from the cache)"));
        return result;
    }

    /// <summary>Synchronous progress: <see cref="Progress{T}"/> would post to the thread pool and print out of order.</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
