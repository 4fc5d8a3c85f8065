using Skein.Data;
using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class AuxiliaryConfidenceObjectiveTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 1.9)] // h = 3·0.3 = 0.9: 1 + 0.9·(2 − 1)
    [InlineData(0.5, 2.5)]
    [InlineData(0.75, 3.25)]
    [InlineData(1.0, 4.0)]
    public void Quantile_is_numpys_linear_interpolation(double q, double expected) =>
        Assert.Equal(expected, AuxiliaryConfidenceObjective.Quantile([4.0, 1.0, 3.0, 2.0], q), 12);

    [Fact]
    public void Binary_hardening_reproduces_the_weak_class_balance_and_keeps_the_most_class0_rows()
    {
        // 30% of the weak labels say class 1, so 70% of the batch is hardened to class 0: the rows with the largest p0.
        var random = new Random(5);
        int n = 100;
        var p = new double[n * 2];
        var weak = new double[n * 2];
        for (int r = 0; r < n; r++)
        {
            double p0 = random.NextDouble();
            (p[2 * r], p[(2 * r) + 1]) = (p0, 1 - p0);
            int y = r % 10 < 3 ? 1 : 0;
            (weak[2 * r], weak[(2 * r) + 1]) = (1 - y, y);
        }

        var hard = AuxiliaryConfidenceObjective.Harden(p, weak, 2, AuxiliaryHardening.MatchWeakMarginals);

        Assert.Equal(70, hard.Count(h => h == 0));
        double lowestClass0 = Enumerable.Range(0, n).Where(r => hard[r] == 0).Min(r => p[2 * r]);
        double highestClass1 = Enumerable.Range(0, n).Where(r => hard[r] == 1).Max(r => p[2 * r]);
        Assert.True(lowestClass0 > highestClass1);
    }

    [Fact]
    public void Binary_hardening_follows_the_weak_balance_not_the_students_argmax()
    {
        // The student calls every row class 0 (p0 ≥ 0.6) but the soft weak labels average 50% class 1.
        double[] p = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4];
        double[] weak = [0.4, 0.6, 0.6, 0.4, 0.5, 0.5, 0.5, 0.5];

        Assert.Equal([0, 0, 1, 1], AuxiliaryConfidenceObjective.Harden(p, weak, 2, AuxiliaryHardening.MatchWeakMarginals));
        Assert.Equal([0, 0, 0, 0], AuxiliaryConfidenceObjective.Harden(p, weak, 2, AuxiliaryHardening.Argmax));
    }

    [Fact]
    public void Multiclass_hardening_matches_the_weak_marginals_greedily_by_confidence()
    {
        // Weak marginals 0.5 / 0.3 / 0.2 over 10 rows → quotas 5 / 3 / 2, although the student favours class 0 everywhere.
        var random = new Random(2);
        int n = 10, k = 3;
        var p = new double[n * k];
        var weak = new double[n * k];
        for (int r = 0; r < n; r++)
        {
            double a = 0.5 + (0.4 * random.NextDouble()), b = (1 - a) * random.NextDouble();
            (p[r * k], p[(r * k) + 1], p[(r * k) + 2]) = (a, b, 1 - a - b);
            weak[(r * k) + (r < 5 ? 0 : r < 8 ? 1 : 2)] = 1;
        }

        var hard = AuxiliaryConfidenceObjective.Harden(p, weak, k, AuxiliaryHardening.MatchWeakMarginals);

        Assert.Equal([5, 3, 2], Enumerable.Range(0, k).Select(c => hard.Count(h => h == c)));
        // The five rows kept as class 0 are the five with the highest p0.
        var top5 = Enumerable.Range(0, n).OrderByDescending(r => p[r * k]).Take(5).Order();
        Assert.Equal(top5, Enumerable.Range(0, n).Where(r => hard[r] == 0));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.02, 0.1)]
    [InlineData(0.05, 0.25)]
    [InlineData(0.099, 0.495)] // the fixed ramp: the original code gave 0.0495 here, then jumped to 0.5
    [InlineData(0.1, 0.5)]
    [InlineData(0.9, 0.5)]
    public void The_coefficient_ramps_linearly_to_alpha_max_over_the_warmup(double progress, double expected) =>
        Assert.Equal(expected, new AuxiliaryConfidenceObjective().Coefficient(progress), 12);

    [Fact]
    public void Paper_settings_ramp_to_0_75_over_20_percent()
    {
        var objective = new AuxiliaryConfidenceObjective(new AuxiliaryConfidenceOptions { AlphaMax = 0.75, WarmupFraction = 0.2 });
        Assert.Equal(0.375, objective.Coefficient(0.1), 12);
        Assert.Equal(0.75, objective.Coefficient(0.2), 12);
    }

    [Fact]
    public void Adjust_mixes_the_weak_label_with_the_hardened_prediction_at_the_current_alpha()
    {
        double[] p = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7];
        double[] weak = [0.7, 0.3, 0.6, 0.4, 0.2, 0.8, 0.4, 0.6];
        var targets = (double[])weak.Clone();
        double[] weights = [1, 1, 2, 1];
        var objective = new AuxiliaryConfidenceObjective();

        // Step 5 of 100: progress 0.05, α = 0.5 · 0.05 / 0.1 = 0.25.
        objective.Adjust(new SoftTargetBatch([0, 1, 2, 3], 2, p, targets, weights, epoch: 1, step: 5, totalSteps: 100));

        var hard = AuxiliaryConfidenceObjective.Harden(p, weak, 2, AuxiliaryHardening.MatchWeakMarginals);
        Assert.Equal([0, 1, 0, 1], hard); // weak mean of class 1 = 0.525: t = 0.4725, so the two largest p0 are class 0
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                Assert.Equal((0.75 * weak[(2 * r) + c]) + (c == hard[r] ? 0.25 : 0), targets[(2 * r) + c], 15);
            }
        }

        Assert.Equal([1, 1, 2, 1], weights);
        Assert.Equal(4, objective.HardenedRows);
        Assert.Equal(2, objective.OverruledRows); // rows 1 and 2 were hardened against the weak argmax
    }

    [Fact]
    public void Adjust_leaves_the_batch_alone_at_alpha_zero()
    {
        double[] p = [0.9, 0.1, 0.2, 0.8];
        double[] targets = [0.3, 0.7, 0.6, 0.4];
        new AuxiliaryConfidenceObjective().Adjust(new SoftTargetBatch([0, 1], 2, p, targets, new double[] { 1, 1 }, 1, step: 0, totalSteps: 10));
        Assert.Equal([0.3, 0.7, 0.6, 0.4], targets);
    }

    [Fact]
    public void Mlp_with_alpha_max_zero_gives_the_same_bits_as_plain_mlp()
    {
        var options = new MlpOptions { HiddenSizes = [16], Epochs = 4, BatchSize = 32, Seed = 7 };
        var plain = new Mlp(options).Fit(Train.X, Train.Y);
        var zero = new Mlp(options).Fit(Train.X, Train.Y, null, null, new AuxiliaryConfidenceObjective(new AuxiliaryConfidenceOptions { AlphaMax = 0 }));
        var half = new Mlp(options).Fit(Train.X, Train.Y, null, null, new AuxiliaryConfidenceObjective());

        Assert.True(plain.PredictProba(Train.X).BitwiseEquals(zero.PredictProba(Train.X)));
        Assert.False(plain.PredictProba(Train.X).BitwiseEquals(half.PredictProba(Train.X)));
    }

    [Fact]
    public void The_confident_student_overrules_flipped_weak_labels_more_than_the_imitating_one()
    {
        // Two well-separated blobs; the weak labels are flipped (confidently wrong) on a fifth of the rows.
        var data = MakeBlobs(400, 4, 2, seed: 3);
        var flipped = data.Gold.Select((g, i) => i % 5 == 0 ? 1 - g : g).ToArray();
        var weak = ProbabilisticLabels.FromRowMajor([.. flipped.SelectMany(y => y == 0 ? new[] { 0.9, 0.1 } : [0.1, 0.9])], 2);
        var student = new Mlp(new MlpOptions { HiddenSizes = [32], Epochs = 60, BatchSize = 32, Seed = 1, Dropout = 0 });

        var imitate = student.Fit(data.X, weak).Predict(data.X);
        var fit = new AuxiliaryConfidenceTrainer(student, new AuxiliaryConfidenceOptions { AlphaMax = 0.75 }).FitWithReport(data.X, weak);
        var confident = fit.Model.Predict(data.X);

        Assert.True(Accuracy(confident, data.Gold) >= Accuracy(imitate, data.Gold), $"{Accuracy(confident, data.Gold)} vs {Accuracy(imitate, data.Gold)}");
        Assert.True(Accuracy(confident, flipped) < Accuracy(imitate, flipped) || Accuracy(confident, data.Gold) > 0.99);
        Assert.InRange(fit.OverruledShare, 0.1, 0.3); // about the flipped fifth, once the student has learned the blobs
    }

    [Fact]
    public void Bad_options_and_shapes_are_rejected()
    {
        Assert.Contains("AlphaMax", Assert.Throws<ArgumentException>(() => new AuxiliaryConfidenceObjective(new AuxiliaryConfidenceOptions { AlphaMax = 1.5 })).Message);
        Assert.Contains("WarmupFraction", Assert.Throws<ArgumentException>(() => new AuxiliaryConfidenceObjective(new AuxiliaryConfidenceOptions { WarmupFraction = -0.1 })).Message);
        Assert.Throws<ArgumentException>(() => new AuxiliaryConfidenceObjective(new AuxiliaryConfidenceOptions { Hardening = (AuxiliaryHardening)7 }));
        Assert.Throws<ArgumentException>(() => AuxiliaryConfidenceObjective.Harden([0.5, 0.5], [1.0, 0, 0, 1], 2, AuxiliaryHardening.Argmax));
        Assert.Throws<ArgumentException>(() => AuxiliaryConfidenceObjective.Quantile([], 0.5));
    }
}
