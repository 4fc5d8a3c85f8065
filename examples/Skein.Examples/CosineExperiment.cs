using System.Diagnostics;
using System.Globalization;
using Skein.Evaluation;
using Skein.LabelModels;
using Skein.Onnx;
using Skein.Refinement;
using Skein.Transformers;
using static Skein.Examples.RefinementExperiment;

namespace Skein.Examples;

/// <summary>
/// Fine-tuning and COSINE on WRENCH youtube, sms and trec with <see cref="EmbeddingAdapterEncoder"/> (frozen MiniLM
/// embeddings + a trainable tanh layer) in place of the transformer: majority vote labels the train rows, stage 1
/// fine-tunes on the covered rows (soft or hard labels, chosen on the selection half of valid, which also drives early
/// stopping), stage 2 self-trains on every row. Reported on the evaluation half, which nothing is chosen on.
/// </summary>
internal static class CosineExperiment
{
    private const int SplitSeed = 1;

    /// <param name="dataDir">The shared data directory.</param>
    /// <param name="output">Where the log and the table go.</param>
    /// <param name="seeds">Seeds of the runs.</param>
    /// <param name="datasets">Which of youtube, sms, trec to run.</param>
    /// <param name="refineWithMixture">Refine the majority-vote labels with the per-class Gaussian mixture (the setting the
    /// refinement experiment chose on trec's selection half) before stage 1.</param>
    public static int Run(string dataDir, TextWriter output, int[] seeds, string[] datasets, bool refineWithMixture)
    {
        var clock = Stopwatch.StartNew();
        using var embedder = new SentenceEmbedder();
        var cached = new CachedSentenceEmbedder(embedder, Path.Combine(Path.GetTempPath(), "skein-refinement-embeddings"));
        var rows = new List<string>();
        foreach (var dataset in datasets)
        {
            var dir = Path.Combine(dataDir, "wrench_" + dataset);
            var (train, valid) = TrainAndValid(dir, dataset);

            var metric = WrenchProtocol.DefaultMetric(dataset);
            var halves = Shuffle(valid.Gold.Length, SplitSeed + 1);
            int half = valid.Gold.Length / 2;
            int[] selectRows = [.. halves[..half].Order()], evalRows = [.. halves[half..].Order()];
            string[] selectTexts = [.. selectRows.Select(i => valid.Texts[i])], evalTexts = [.. evalRows.Select(i => valid.Texts[i])];
            int[] selectGold = [.. selectRows.Select(i => valid.Gold[i])], evalGold = [.. evalRows.Select(i => valid.Gold[i])];
            string[] allTexts = [.. train.Texts, .. valid.Texts];
            var embeddings = cached.Encode(allTexts);
            var mv = new MajorityVote().Fit(train.Matrix).PredictProba(train.Matrix);
            var covered = train.Matrix.CoveredRows();
            if (refineWithMixture)
            {
                mv = GaussianMixtureRefinement.Refine(embeddings[..train.Texts.Length], mv, covered, new GaussianMixtureRefinementOptions { Covariance = GaussianCovariance.Diagonal });
            }
            var selection = new FineTuneValidation(selectTexts, selectGold, metric);

            foreach (int seed in seeds)
            {
                FineTuneOptions? bestStage1 = null;
                double bestSelect = double.NegativeInfinity, stage1Eval = 0;
                foreach (var labels in new[] { FineTuneLabels.Soft, FineTuneLabels.Hard })
                {
                    var options = new FineTuneOptions
                    {
                        LearningRate = 1e-3, Epochs = 20, BatchSize = 32, Patience = 4, Dropout = 0.1, Labels = labels, Seed = seed,
                    };
                    var watch = Stopwatch.StartNew();
                    var classifier = new FineTuneTrainer(options).Fit(Encoder(allTexts, embeddings, seed), train.Texts, mv, covered, selection);
                    double select = WrenchProtocol.Score(selectGold, classifier.PredictProba(selectTexts), metric);
                    double eval = WrenchProtocol.Score(evalGold, classifier.PredictProba(evalTexts), metric);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{dataset} seed {seed} fine-tune {labels}: select {select:F2}, eval {eval:F2} ({watch.Elapsed.TotalSeconds:F1} s)"));
                    if (select > bestSelect)
                    {
                        (bestStage1, bestSelect, stage1Eval) = (options, select, eval);
                    }
                }

                // λ and ξ are chosen on the selection half (which also early-stops every run).
                CosineResult? best = null;
                CosineOptions? bestCosine = null;
                var clockCosine = Stopwatch.StartNew();
                foreach (double lambda in new[] { 0.0, 0.1 })
                {
                    foreach (double threshold in new[] { 0.2, 0.6 })
                    {
                        var cosineOptions = new CosineOptions
                        {
                            Stage1 = bestStage1!, SelfTrainingSteps = 3000, TeacherUpdatePeriod = 50, ConfidenceThreshold = threshold, ConfidenceWeight = lambda, Seed = seed,
                        };
                        var result = new CosineTrainer(cosineOptions).Fit(Encoder(allTexts, embeddings, seed), train.Texts, mv, covered, selection);
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{dataset} seed {seed} COSINE λ={lambda} ξ={threshold}: select {result.Valid:F2} after {result.SelfTrainingSteps} steps ({result.Stop}), eval {WrenchProtocol.Score(evalGold, result.Classifier.PredictProba(evalTexts), metric):F2}"));
                        if (best is null || result.Valid > best.Valid)
                        {
                            (best, bestCosine) = (result, cosineOptions);
                        }
                    }
                }

                double cosineEval = WrenchProtocol.Score(evalGold, best!.Classifier.PredictProba(evalTexts), metric);
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| {dataset} ({metric}) | {seed} | {bestStage1!.Labels} | {bestSelect:F2} | {stage1Eval:F2} | λ={bestCosine!.ConfidenceWeight} ξ={bestCosine.ConfidenceThreshold} | {best.Valid:F2} | {cosineEval:F2} | {best.SelfTrainingSteps} ({best.Stop}) | {(best.SelfTrainingKept ? "yes" : "no")} | {clockCosine.Elapsed.TotalSeconds:F0} |");
                output.WriteLine(line);
                rows.Add(line);
            }
        }

        output.WriteLine();
        output.WriteLine("| data set | seed | stage-1 labels | stage 1 selection | stage 1 evaluation | COSINE setting | COSINE selection | COSINE evaluation | self-training steps (stop) | stage 2 kept | COSINE grid seconds |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        rows.ForEach(output.WriteLine);
        output.WriteLine($"total {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static EmbeddingAdapterEncoder Encoder(string[] texts, float[][] embeddings, int seed) => new(texts, embeddings, hidden: 256, dropout: 0.1, seed);
}
