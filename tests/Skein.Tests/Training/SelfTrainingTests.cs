using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.Tests.EndModels;
using Skein.Training;

namespace Skein.Tests.Training;

public sealed class SelfTrainingTests
{
    private static readonly SoftmaxRegression Softmax = new(new SoftmaxRegressionOptions { Seed = 1, L2 = 1e-2 });

    /// <summary>
    /// Elongated Gaussian clusters, one per class, along y; a handful of labelled rows per class and a large pool. With so
    /// few labels the supervised boundary tilts; the pool fills in the clusters (the cluster assumption self-training
    /// relies on). Returns the train rows (labelled first), the pool flags, and a held-out set.
    /// </summary>
    internal static (DenseMatrix X, ProbabilisticLabels Y, bool[] Pool, int[] Gold, DenseMatrix TestX, int[] TestGold) Clusters(
        int seed, int labeledPerClass = 3, int poolRows = 600, int k = 2, double[]? spreadY = null, double separation = 2.2)
    {
        var random = new Random(seed);
        (double[] X, int Y) Draw(int c)
        {
            double sy = spreadY?[c] ?? 4;
            double cx = (c - ((k - 1) / 2.0)) * 2 * separation;
            return ([cx + (0.8 * EndModelFixtures.Gaussian(random)), sy * EndModelFixtures.Gaussian(random)], c);
        }

        var rows = new List<(double[] X, int Y)>();
        for (int c = 0; c < k; c++)
        {
            for (int i = 0; i < labeledPerClass; i++)
            {
                rows.Add(Draw(c));
            }
        }

        int labeled = rows.Count;
        for (int i = 0; i < poolRows; i++)
        {
            rows.Add(Draw(i % k));
        }

        var test = Enumerable.Range(0, 2000).Select(i => Draw(i % k)).ToArray();
        var gold = rows.Select(r => r.Y).ToArray();
        var y = EndModelFixtures.OneHot(gold, k);
        var pool = Enumerable.Range(0, rows.Count).Select(i => i >= labeled).ToArray();
        return (DenseMatrix.FromRows([.. rows.Select(r => r.X)]), y, pool, gold,
            DenseMatrix.FromRows([.. test.Select(t => t.X)]), [.. test.Select(t => t.Y)]);
    }

    /// <summary>
    /// Bag-of-words documents: each class has its own <paramref name="vocabulary"/> words, a document holds
    /// <paramref name="words"/> of its class's words and 2 shared noise words. A few labelled documents mention only some
    /// class words, so a supervised model knows nothing of the rest; pseudo-labelled pool documents that share a word with
    /// them carry the other words' evidence (co-occurrence), which is how self-training helps text classifiers.
    /// </summary>
    internal static (DenseMatrix X, ProbabilisticLabels Y, bool[] Pool, int[] Gold, DenseMatrix TestX, int[] TestGold) Words(
        int seed, int labeledPerClass = 4, int poolRows = 600, int k = 2, int vocabulary = 40, int words = 3)
    {
        const int noise = 20;
        int d = (k * vocabulary) + noise;
        var random = new Random(seed);
        double[] Draw(int c)
        {
            var x = new double[d];
            for (int w = 0; w < words; w++)
            {
                x[(c * vocabulary) + random.Next(vocabulary)] = 1;
            }

            for (int w = 0; w < 2; w++)
            {
                x[(k * vocabulary) + random.Next(noise)] = 1;
            }

            return x;
        }

        int n = (k * labeledPerClass) + poolRows;
        var gold = Enumerable.Range(0, n).Select(i => i < k * labeledPerClass ? i / labeledPerClass : i % k).ToArray();
        var testGold = Enumerable.Range(0, 2000).Select(i => i % k).ToArray();
        return (DenseMatrix.FromRows([.. gold.Select(Draw)]), EndModelFixtures.OneHot(gold, k),
            [.. Enumerable.Range(0, n).Select(i => i >= k * labeledPerClass)], gold,
            DenseMatrix.FromRows([.. testGold.Select(Draw)]), testGold);
    }

    private static double Accuracy(EndModel model, DenseMatrix x, int[] gold) => EndModelFixtures.Accuracy(model.Predict(x), gold);

    private static EndModel Baseline(IEndModelTrainer trainer, DenseMatrix x, ProbabilisticLabels y, bool[] pool)
    {
        var rows = Enumerable.Range(0, pool.Length).Where(i => !pool[i]).ToArray();
        var values = rows.SelectMany(i => y.Row(i).ToArray()).ToArray();
        return trainer.Fit(x.SelectRows(rows), ProbabilisticLabels.FromRowMajor(values, y.Cardinality));
    }

    [Theory]
    [InlineData(PseudoLabelSelection.FixedThreshold)]
    [InlineData(PseudoLabelSelection.TopKPerClass)]
    [InlineData(PseudoLabelSelection.PercentileCurriculum)]
    public void SelfTraining_beats_the_supervised_baseline_on_held_out_rows(PseudoLabelSelection selection)
    {
        var trainer = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, L2 = 1e-4 });
        var options = new SelfTrainingOptions { Selection = selection, Threshold = 0.9, RowsPerRound = 50, MaxIterations = 20 };
        double baseline = 0, selfTrained = 0;
        for (int seed = 1; seed <= 4; seed++)
        {
            var data = Words(seed, words: 4);
            baseline += Accuracy(Baseline(trainer, data.X, data.Y, data.Pool), data.TestX, data.TestGold) / 4;
            selfTrained += Accuracy(new SelfTraining(trainer, options).Fit(data.X, data.Y, data.Pool).Model, data.TestX, data.TestGold) / 4;
        }

        Assert.True(selfTrained > baseline + 0.05, $"self-trained {selfTrained:P2} vs baseline {baseline:P2}");
    }

    [Fact]
    public void Class_balanced_top_k_avoids_the_runaway_class_of_a_fixed_threshold()
    {
        // With a stronger L2 the first model is unsure; the few rows above a fixed 0.9 are mostly of one class and each
        // round tilts further (confirmation bias). Class-balanced selection keeps the prior and keeps improving.
        var trainer = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, L2 = 1e-2 });
        double baseline = 0, fixedThreshold = 0, topK = 0;
        for (int seed = 1; seed <= 4; seed++)
        {
            var data = Words(seed, words: 3);
            baseline += Accuracy(Baseline(trainer, data.X, data.Y, data.Pool), data.TestX, data.TestGold) / 4;
            fixedThreshold += Accuracy(new SelfTraining(trainer, new SelfTrainingOptions { Threshold = 0.9 }).Fit(data.X, data.Y, data.Pool).Model,
                data.TestX, data.TestGold) / 4;
            topK += Accuracy(new SelfTraining(trainer, new SelfTrainingOptions { Selection = PseudoLabelSelection.TopKPerClass, RowsPerRound = 50, MaxIterations = 20 })
                .Fit(data.X, data.Y, data.Pool).Model, data.TestX, data.TestGold) / 4;
        }

        Assert.True(fixedThreshold < baseline, $"fixed {fixedThreshold:P2} vs baseline {baseline:P2}");
        Assert.True(topK > baseline + 0.1, $"top-k {topK:P2} vs baseline {baseline:P2}");
    }

    [Theory]
    [InlineData(ConfidenceMeasure.MaxProbability, 0.95)]
    [InlineData(ConfidenceMeasure.Margin, 0.8)]
    public void Fixed_threshold_adds_exactly_the_pool_rows_at_or_above_it(ConfidenceMeasure measure, double threshold)
    {
        var data = Clusters(3);
        var result = new SelfTraining(Softmax, new SelfTrainingOptions { Threshold = threshold, Confidence = measure, MaxIterations = 1 })
            .Fit(data.X, data.Y, data.Pool);
        var first = Baseline(Softmax, data.X, data.Y, data.Pool).PredictProba(data.X);
        int added = 0;
        for (int i = 0; i < data.Pool.Length; i++)
        {
            if (!data.Pool[i])
            {
                Assert.Equal(0, result.LabeledAtIteration[i]);
                continue;
            }

            var p = first.Row(i).ToArray().OrderDescending().ToArray();
            double confidence = measure == ConfidenceMeasure.Margin ? p[0] - p[1] : p[0];
            Assert.Equal(confidence >= threshold ? 1 : -1, result.LabeledAtIteration[i]);
            added += confidence >= threshold ? 1 : 0;
        }

        Assert.InRange(added, 1, data.Pool.Count(p => p) - 1);
        Assert.Equal(added, result.Rounds[0].RowsAdded);
        Assert.Equal(SelfTrainingTermination.MaxIterations, result.Termination);
        Assert.All(result.Rounds[0].Thresholds, t => Assert.Equal(threshold, t));
    }

    [Fact]
    public void Hard_pseudo_labels_are_one_hot_of_the_prediction_and_soft_ones_are_the_distribution()
    {
        var data = Clusters(4);
        var first = Baseline(Softmax, data.X, data.Y, data.Pool).PredictProba(data.X);
        var hard = new SelfTraining(Softmax, new SelfTrainingOptions { MaxIterations = 1 }).Fit(data.X, data.Y, data.Pool);
        var soft = new SelfTraining(Softmax, new SelfTrainingOptions { MaxIterations = 1, SoftPseudoLabels = true }).Fit(data.X, data.Y, data.Pool);
        int checkedRows = 0;
        for (int i = 0; i < data.Pool.Length; i++)
        {
            if (hard.LabeledAtIteration[i] == 1)
            {
                var predicted = first.ArgMax()[i];
                Assert.Equal(1.0, hard.PseudoLabels[i, predicted]);
                Assert.Equal(first.Row(i).ToArray(), soft.PseudoLabels.Row(i).ToArray());
                checkedRows++;
            }
        }

        Assert.True(checkedRows > 0);
    }

    [Fact]
    public void Confidence_weighting_weights_each_pseudo_label_by_its_confidence()
    {
        var data = Clusters(5);
        var first = Baseline(Softmax, data.X, data.Y, data.Pool).PredictProba(data.X);
        var result = new SelfTraining(Softmax, new SelfTrainingOptions
        {
            MaxIterations = 1, Weighting = PseudoLabelWeighting.Confidence, PseudoLabelWeight = 0.5,
        }).Fit(data.X, data.Y, data.Pool);
        for (int i = 0; i < data.Pool.Length; i++)
        {
            double expected = result.LabeledAtIteration[i] switch
            {
                0 => 1,
                1 => 0.5 * first.Row(i).ToArray().Max(),
                _ => 0,
            };
            Assert.Equal(expected, result.Weights[i], 12);
        }
    }

    [Fact]
    public void Top_k_per_class_follows_the_labelled_class_prior()
    {
        // Labelled prior 60/30/10 %; 20 rows a round must split 12/6/2 whatever the pool's own balance.
        var data = Clusters(6, labeledPerClass: 0, poolRows: 900, k: 3, spreadY: [1, 1, 1], separation: 3);
        var labels = data.Y.ToArray();
        var pool = (bool[])data.Pool.Clone();
        int[] wanted = [6, 3, 1];
        for (int i = 0, taken = 0; i < pool.Length && taken < 10; i++)
        {
            int c = data.Gold[i];
            if (wanted[c] > 0)
            {
                wanted[c]--;
                pool[i] = false;
                taken++;
            }
        }

        var result = new SelfTraining(Softmax, new SelfTrainingOptions { Selection = PseudoLabelSelection.TopKPerClass, RowsPerRound = 20, MaxIterations = 3 })
            .Fit(data.X, ProbabilisticLabels.FromRowMajor(labels, 3), pool);
        Assert.Equal(3, result.Iterations);
        Assert.All(result.Rounds, r => Assert.Equal([12, 6, 2], r.ClassCounts));
        Assert.All(result.Rounds, r => Assert.Equal(20, r.RowsAdded));
        Assert.Equal(60, result.LabeledAtIteration.Count(r => r > 0));
    }

    [Theory]
    [InlineData(20, new[] { 0.6, 0.3, 0.1 }, new[] { 12, 6, 2 })]
    [InlineData(10, new[] { 0.34, 0.33, 0.33 }, new[] { 4, 3, 3 })]
    [InlineData(5, new[] { 0.5, 0.5 }, new[] { 3, 2 })]
    [InlineData(1, new[] { 0.2, 0.8 }, new[] { 0, 1 })]
    public void Apportion_uses_largest_remainders_and_sums_to_the_total(int total, double[] prior, int[] expected) =>
        Assert.Equal(expected, SelfTraining.Apportion(total, prior));

    /// <summary>Records what each round's trainer was fitted on and what it returned; delegates to softmax regression.</summary>
    private sealed class RecordingTrainer(int round, List<FitRecord> log) : IEndModelTrainer
    {
        public EndModel Fit(FeatureMatrix features, ProbabilisticLabels labels, IReadOnlyList<double>? weights = null, ValidationSet? validation = null)
        {
            var model = Softmax.Fit(features, labels, weights, validation);
            log.Add(new FitRecord(round, features, labels, model));
            return model;
        }
    }

    private sealed record FitRecord(int Round, FeatureMatrix Features, ProbabilisticLabels Labels, EndModel Model);

    [Fact]
    public void Curriculum_refits_a_fresh_trainer_each_round_on_a_growing_share_and_replaces_pseudo_labels()
    {
        var data = Clusters(7, poolRows: 500);
        var log = new List<FitRecord>();
        var result = new SelfTraining(r => new RecordingTrainer(r, log), new SelfTrainingOptions
        {
            Selection = PseudoLabelSelection.PercentileCurriculum, CurriculumStep = 0.2, SoftPseudoLabels = true, MaxIterations = 10,
        }).Fit(data.X, data.Y, data.Pool);

        Assert.Equal([0, 1, 2, 3, 4, 5], log.Select(l => l.Round));
        Assert.Equal([6, 106, 206, 306, 406, 506], log.Select(l => l.Features.RowCount));
        Assert.Equal(5, result.Iterations);
        Assert.Equal(SelfTrainingTermination.PoolExhausted, result.Termination);
        Assert.Equal([100, 200, 300, 400, 500], result.Rounds.Select(r => r.RowsPseudoLabeled));
        Assert.True(result.LabeledAtIteration.All(r => r >= 0));

        // Replacement: every pseudo-labelled row of round r is trained on round r − 1's prediction, including the
        // rows already selected in earlier rounds (accumulation would keep their older targets).
        for (int r = 2; r <= 5; r++)
        {
            var fit = log[r];
            var previous = log[r - 1].Model.PredictProba(fit.Features);
            int fromPrevious = Enumerable.Range(0, fit.Features.RowCount).Count(j => fit.Labels.Row(j).SequenceEqual(previous.Row(j)));
            Assert.Equal(100 * r, fromPrevious);
        }

        // The curriculum's cut is the confidence of the last row taken, and it falls as the share grows.
        var cuts = result.Rounds.Select(r => r.Thresholds[0]).ToArray();
        Assert.True(cuts.Zip(cuts.Skip(1)).All(p => p.First >= p.Second), string.Join(", ", cuts));
    }

    [Fact]
    public void Class_adaptive_thresholds_follow_FlexMatch_and_are_lower_for_the_class_learned_less()
    {
        // One class is made diffuse (wide in x too), so the two classes get very different numbers of confident pool
        // predictions: FlexMatch's measure of how well a class is learned.
        var data = Clusters(8, labeledPerClass: 5, poolRows: 800, spreadY: [1, 1]);
        var x = data.X.Values.ToArray();
        var gold = data.Gold;
        var random = new Random(8);
        for (int i = 0; i < gold.Length; i++)
        {
            if (gold[i] == 1)
            {
                x[i * 2] += (float)(2.5 * EndModelFixtures.Gaussian(random));
            }
        }

        var features = DenseMatrix.FromRowMajor(x, 2);
        const double tau = 0.95;
        foreach (bool warmup in new[] { false, true })
        {
            var result = new SelfTraining(Softmax, new SelfTrainingOptions
            {
                Selection = PseudoLabelSelection.ClassAdaptive, Threshold = tau, FlexMatchWarmup = warmup, MaxIterations = 1,
            }).Fit(features, data.Y, data.Pool);
            var t = result.Rounds[0].Thresholds;

            // Recompute FlexMatch's T(c) = M(β(c))·τ from the first model's predictions of the pool.
            var p = Baseline(Softmax, features, data.Y, data.Pool).PredictProba(features);
            var argMax = p.ArgMax();
            var poolRows = Enumerable.Range(0, gold.Length).Where(i => data.Pool[i]).ToArray();
            var sigma = new double[2];
            foreach (int i in poolRows.Where(i => p[i, argMax[i]] >= tau))
            {
                sigma[argMax[i]]++;
            }

            int less = sigma[0] < sigma[1] ? 0 : 1;
            Assert.True(sigma[less] < 0.5 * sigma[1 - less], $"σ = [{sigma[0]}, {sigma[1]}]");
            Assert.True(t[less] < t[1 - less], $"warm-up {warmup}: T = [{t[0]}, {t[1]}]");
            double denominator = warmup ? Math.Max(sigma.Max(), poolRows.Length - sigma.Sum()) : sigma.Max();
            for (int c = 0; c < 2; c++)
            {
                double beta = sigma[c] / denominator;
                Assert.Equal(beta / (2 - beta) * tau, t[c], 12);
            }

            if (!warmup)
            {
                Assert.Equal(tau, t[1 - less], 12); // the best-learned class keeps the full τ
            }

            foreach (int i in poolRows)
            {
                bool passes = p[i, argMax[i]] >= t[argMax[i]];
                Assert.Equal(passes ? 1 : -1, result.LabeledAtIteration[i]);
            }
        }
    }

    [Fact]
    public void Termination_reasons()
    {
        var data = Clusters(9);

        var none = new SelfTraining(Softmax, new SelfTrainingOptions { Threshold = 1, Confidence = ConfidenceMeasure.Margin }).Fit(data.X, data.Y, data.Pool);
        Assert.Equal(SelfTrainingTermination.NoNewLabels, none.Termination);
        Assert.Equal(0, none.Iterations);
        Assert.Single(none.Rounds);
        Assert.Equal(0, none.Rounds[0].RowsAdded);
        Assert.All(Enumerable.Range(0, data.Pool.Length).Where(i => data.Pool[i]), i => Assert.Equal(-1, none.LabeledAtIteration[i]));
        Assert.All(Enumerable.Range(0, data.Pool.Length).Where(i => data.Pool[i]), i => Assert.Equal(0, none.Weights[i]));

        var all = new SelfTraining(Softmax, new SelfTrainingOptions { Threshold = 0 }).Fit(data.X, data.Y, data.Pool);
        Assert.Equal(SelfTrainingTermination.PoolExhausted, all.Termination);
        Assert.Equal(1, all.Iterations);

        var capped = new SelfTraining(Softmax, new SelfTrainingOptions { Selection = PseudoLabelSelection.TopKPerClass, RowsPerRound = 10, MaxIterations = 2 })
            .Fit(data.X, data.Y, data.Pool);
        Assert.Equal(SelfTrainingTermination.MaxIterations, capped.Termination);
        Assert.Equal(2, capped.Iterations);
        Assert.Contains(-1, capped.LabeledAtIteration);
        Assert.Equal(10, capped.LabeledAtIteration.Count(r => r == 2));

        var noPool = new SelfTraining(Softmax).Fit(data.X, data.Y, new bool[data.Pool.Length]);
        Assert.Equal(SelfTrainingTermination.PoolExhausted, noPool.Termination);
        Assert.Equal(0, noPool.Iterations);
        Assert.Empty(noPool.Rounds);
    }

    [Fact]
    public void Same_seed_gives_the_same_bits()
    {
        var data = Clusters(10, poolRows: 300);
        ProbabilisticLabels Run(int threads) => new SelfTraining(
                new Mlp(new MlpOptions { HiddenSizes = [16], Epochs = 10, BatchSize = 32, Seed = 5, MaxDegreeOfParallelism = threads }),
                new SelfTrainingOptions { Selection = PseudoLabelSelection.ClassAdaptive, SoftPseudoLabels = true, MaxIterations = 3 })
            .Fit(data.X, data.Y, data.Pool).Model.PredictProba(data.TestX);

        var first = Run(1);
        Assert.True(first.BitwiseEquals(Run(1)));
        Assert.True(first.BitwiseEquals(Run(2)));
    }

    public static TheoryData<string, SelfTrainingOptions> BadOptions => new()
    {
        { "Threshold", new SelfTrainingOptions { Threshold = 1.5 } },
        { "Threshold", new SelfTrainingOptions { Threshold = -0.1 } },
        { "Threshold", new SelfTrainingOptions { Threshold = double.NaN } },
        { "MaxIterations", new SelfTrainingOptions { MaxIterations = 0 } },
        { "RowsPerRound", new SelfTrainingOptions { RowsPerRound = 0 } },
        { "CurriculumStep", new SelfTrainingOptions { CurriculumStep = 0 } },
        { "CurriculumStep", new SelfTrainingOptions { CurriculumStep = 1.2 } },
        { "PseudoLabelWeight", new SelfTrainingOptions { PseudoLabelWeight = 0 } },
        { "PseudoLabelWeight", new SelfTrainingOptions { PseudoLabelWeight = double.PositiveInfinity } },
        { "Selection", new SelfTrainingOptions { Selection = (PseudoLabelSelection)9 } },
        { "Confidence", new SelfTrainingOptions { Confidence = (ConfidenceMeasure)9 } },
        { "Weighting", new SelfTrainingOptions { Weighting = (PseudoLabelWeighting)9 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_rejected_naming_the_option(string option, SelfTrainingOptions options)
    {
        var e = Assert.Throws<ArgumentException>(() => new SelfTraining(Softmax, options));
        Assert.Contains($"SelfTrainingOptions.{option}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        var data = Clusters(11, poolRows: 20);
        var trainer = new SelfTraining(Softmax);
        Assert.Throws<ArgumentException>(() => trainer.Fit(data.X, data.Y, Enumerable.Repeat(true, data.Pool.Length).ToArray()));
        Assert.Throws<ArgumentException>(() => trainer.Fit(data.X, data.Y, data.Pool.Skip(1).ToArray()));
        var weights = Enumerable.Repeat(1.0, data.Pool.Length).ToArray();
        weights[0] = -1;
        Assert.Throws<ArgumentException>(() => trainer.Fit(data.X, data.Y, data.Pool, weights));
    }
}
