using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class CrossValidationTests
{
    [Fact]
    public void Folds_are_stratified_and_balanced()
    {
        int[] strata = [.. Enumerable.Range(0, 103).Select(i => i % 7 == 0 ? 1 : 0)];
        var folds = CrossValidation.StratifiedFolds(strata, 5, seed: 4);
        foreach (int c in new[] { 0, 1 })
        {
            var sizes = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, 103).Count(i => strata[i] == c && folds[i] == f)).ToArray();
            Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
        }

        Assert.Equal(folds, CrossValidation.StratifiedFolds(strata, 5, seed: 4));
        Assert.NotEqual(folds, CrossValidation.StratifiedFolds(strata, 5, seed: 5));
    }

    [Fact]
    public void Too_few_rows_per_class_or_folds_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => CrossValidation.StratifiedFolds([0, 0, 0, 1, 1], 3, 0));
        Assert.Contains("Class 1 has 2 row(s)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CrossValidation.StratifiedFolds([0, 1], 1, 0));
    }

    [Fact]
    public void Each_row_is_predicted_by_the_model_of_its_held_out_fold()
    {
        var data = MakeBlobs(90, 4, 3, seed: 3, spread: 1);
        static IEndModelTrainer Trainer() => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, MaxIterations = 30 });
        var probs = CrossValidation.Probabilities(Trainer, data.X, data.Gold, 3, 3, seed: 8);

        var folds = CrossValidation.StratifiedFolds(data.Gold, 3, 8);
        var held = Enumerable.Range(0, 90).Where(i => folds[i] == 1).ToArray();
        var train = Enumerable.Range(0, 90).Where(i => folds[i] != 1).ToArray();
        var model = Trainer().Fit(data.X.SelectRows(train), OneHot([.. train.Select(i => data.Gold[i])], 3));
        var expected = model.PredictProba(data.X.SelectRows(held));
        for (int r = 0; r < held.Length; r++)
        {
            Assert.Equal(expected.Row(r).ToArray(), probs.Row(held[r]).ToArray());
        }
    }

    [Fact]
    public void Soft_labels_are_stratified_by_argmax()
    {
        var data = MakeBlobs(60, 4, 3, seed: 2);
        var probs = CrossValidation.Probabilities(() => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }), data.X, data.Y, 4, seed: 1);
        Assert.Equal(60, probs.RowCount);
        Assert.True(Accuracy(probs.ArgMax(), data.Gold) > 0.9);
    }
}
