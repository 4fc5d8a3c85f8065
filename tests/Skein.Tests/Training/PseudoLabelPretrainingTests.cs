using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using Skein.Tests.EndModels;
using Skein.Training;

namespace Skein.Tests.Training;

public sealed class PseudoLabelPretrainingTests
{
    private static MlpOptions Options(int epochs, double learningRate = 1e-2) =>
        new() { HiddenSizes = [16], Epochs = epochs, BatchSize = 32, LearningRate = learningRate, Seed = 3, MaxDegreeOfParallelism = 1 };

    /// <summary>
    /// Three nonlinear-ish blobs in 5-d. The pool's pseudo-labels are 70 % right (a noisy label model); the gold set has
    /// 4 rows per class. Returns pool, gold and a held-out set.
    /// </summary>
    private static (DenseMatrix PoolX, ProbabilisticLabels PoolY, DenseMatrix GoldX, ProbabilisticLabels GoldY, DenseMatrix TestX, int[] TestGold) Data(int seed)
    {
        var pool = EndModelFixtures.MakeBlobs(1500, 5, 3, seed, spread: 1.2);
        var gold = EndModelFixtures.MakeBlobs(12, 5, 3, seed + 100, spread: 1.2);
        var test = EndModelFixtures.MakeBlobs(1500, 5, 3, seed + 200, spread: 1.2);
        var random = new Random(seed);
        var noisy = pool.Gold.Select(y => random.NextDouble() < 0.3 ? (y + 1 + random.Next(2)) % 3 : y).ToArray();
        return (pool.X, EndModelFixtures.OneHot(noisy, 3), gold.X, EndModelFixtures.OneHot(gold.Gold, 3), test.X, test.Gold);
    }

    [Fact]
    public void Pretraining_on_pseudo_labels_then_fine_tuning_beats_gold_only_training()
    {
        double goldOnly = 0, pretrained = 0;
        for (int seed = 1; seed <= 3; seed++)
        {
            var d = Data(seed);
            var result = new PseudoLabelPretraining(new PseudoLabelPretrainingOptions { Pretraining = Options(20), FineTuning = Options(30, 1e-3) })
                .Fit(d.PoolX, d.PoolY, d.GoldX, d.GoldY);
            pretrained += EndModelFixtures.Accuracy(result.FineTuned.Predict(d.TestX), d.TestGold);
            goldOnly += EndModelFixtures.Accuracy(new Mlp(Options(30, 1e-2)).Fit(d.GoldX, d.GoldY).Predict(d.TestX), d.TestGold);
        }

        Assert.True(pretrained / 3 > (goldOnly / 3) + 0.02, $"pre-trained {pretrained / 3:P2} vs gold only {goldOnly / 3:P2}");
    }

    [Fact]
    public void Fine_tuning_starts_from_the_pretrained_weights()
    {
        var d = Data(4);
        // A vanishing fine-tuning step leaves the pre-trained predictions; a fresh model would be near uniform.
        var result = new PseudoLabelPretraining(new PseudoLabelPretrainingOptions { Pretraining = Options(10), FineTuning = Options(1, 1e-9) })
            .Fit(d.PoolX, d.PoolY, d.GoldX, d.GoldY);
        var before = result.Pretrained.PredictProba(d.TestX).ToArray();
        var after = result.FineTuned.PredictProba(d.TestX).ToArray();
        Assert.True(before.Zip(after).All(p => Math.Abs(p.First - p.Second) < 1e-4));
        Assert.True(EndModelFixtures.Accuracy(result.FineTuned.Predict(d.TestX), d.TestGold) > 0.6);
    }

    [Fact]
    public void Teacher_overload_pretrains_on_the_teachers_predictions()
    {
        var d = Data(5);
        var teacher = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }).Fit(d.GoldX, d.GoldY);
        var options = new PseudoLabelPretrainingOptions { Pretraining = Options(5), FineTuning = Options(5), HardPseudoLabels = true };
        var viaTeacher = new PseudoLabelPretraining(options).Fit(teacher, d.PoolX, d.GoldX, d.GoldY);
        var direct = new PseudoLabelPretraining(options).Fit(d.PoolX, teacher.PredictProba(d.PoolX), d.GoldX, d.GoldY);
        Assert.True(viaTeacher.FineTuned.PredictProba(d.TestX).BitwiseEquals(direct.FineTuned.PredictProba(d.TestX)));
    }

    [Fact]
    public void Mismatched_architectures_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new PseudoLabelPretraining(new PseudoLabelPretrainingOptions
        {
            Pretraining = Options(5), FineTuning = Options(5) with { HiddenSizes = [8] },
        }));
        Assert.Contains("PseudoLabelPretrainingOptions.FineTuning", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PseudoLabelPretraining(new PseudoLabelPretrainingOptions { FineTuning = Options(5) with { Epochs = 0 } }));
    }

    [Fact]
    public void Gold_set_with_other_features_is_rejected()
    {
        var d = Data(6);
        var narrow = DenseMatrix.FromRows([[1.0, 2.0]]);
        Assert.Throws<ArgumentException>(() => new PseudoLabelPretraining().Fit(d.PoolX, d.PoolY, narrow, ProbabilisticLabels.FromRowMajor([1.0, 0, 0], 3)));
    }
}
