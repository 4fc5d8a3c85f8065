using Skein.EndModels;
using Skein.Features;
using Skein.Training;

namespace Skein.Examples;

/// <summary>
/// Confident learning on real text with injected noise: WRENCH youtube train gold labels, a seeded share flipped,
/// 5-fold cross-validated TF-IDF + softmax probabilities, then precision and recall of the flipped rows found.
/// </summary>
internal static class LabelErrorsExperiment
{
    public static int Run(string wrenchTrainJson, TextWriter output)
    {
        var rows = WrenchFile.Load(wrenchTrainJson);
        var texts = rows.Select(r => r.Text).ToArray();
        var gold = rows.Select(r => r.Label).ToArray();
        var x = new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 1 << 18 }).Fit(texts).Transform(texts);
        output.WriteLine($"{rows.Count} rows, {gold.Count(g => g == 1)} spam; tfidf + softmax, 5 folds");
        output.WriteLine("| flipped | seed | filter | flagged | precision | recall | est. issues (off-diagonal / calibrated) |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (double rate in new[] { 0.1, 0.2 })
        {
            foreach (int seed in new[] { 1, 2, 3 })
            {
                var random = new Random(seed);
                var flip = Enumerable.Range(0, gold.Length).OrderBy(_ => random.Next()).Take((int)Math.Round(rate * gold.Length)).ToHashSet();
                var noisy = gold.Select((g, i) => flip.Contains(i) ? 1 - g : g).ToArray();
                var probs = CrossValidation.Probabilities(() => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = seed }), x, noisy, 2, 5, seed);
                int off = ConfidentLearning.EstimateIssueCount(noisy, probs), calibrated = ConfidentLearning.EstimateIssueCount(noisy, probs, calibrated: true);
                foreach (var filter in new[] { LabelIssueFilter.PruneByNoiseRate, LabelIssueFilter.ConfidentLearning, LabelIssueFilter.PredictedNeqGiven })
                {
                    var issues = ConfidentLearning.FindLabelIssues(noisy, probs, new LabelIssueOptions { FilterBy = filter });
                    int hit = issues.Indices.Count(flip.Contains);
                    output.WriteLine($"| {rate:P0} | {seed} | {filter} | {issues.Indices.Count} | {hit / (double)Math.Max(1, issues.Indices.Count):F3} | " +
                        $"{hit / (double)flip.Count:F3} | {off} / {calibrated} |");
                }
            }
        }

        return 0;
    }
}
