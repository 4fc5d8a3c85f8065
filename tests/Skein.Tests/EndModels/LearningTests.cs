using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.EndModels;

public sealed class LearningTests
{
    [Fact]
    public void Both_models_learn_separable_blobs_from_soft_labels()
    {
        var train = MakeBlobs(900, 8, 3, seed: 2);
        var test = MakeBlobs(900, 8, 3, seed: 3);

        var softmax = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }).Fit(train.X, train.Y);
        var mlp = new Mlp(new MlpOptions { HiddenSizes = [32], Epochs = 20, BatchSize = 64, Seed = 1 }).Fit(train.X, train.Y);

        double softmaxAccuracy = Accuracy(softmax.Predict(test.X), test.Gold), mlpAccuracy = Accuracy(mlp.Predict(test.X), test.Gold);
        Assert.True(softmaxAccuracy >= 0.98, $"softmax {softmaxAccuracy}, {softmax.History.Count} iterations");
        Assert.True(mlpAccuracy >= 0.98, $"mlp {mlpAccuracy}");
    }

    [Fact]
    public void Mlp_learns_xor_that_softmax_regression_cannot()
    {
        static (DenseMatrix X, int[] Gold) Xor(int n, int seed)
        {
            var random = new Random(seed);
            var rows = new List<double[]>();
            var gold = new List<int>();
            while (rows.Count < n)
            {
                double a = (random.NextDouble() * 2) - 1, b = (random.NextDouble() * 2) - 1;
                if (Math.Abs(a) > 0.1 && Math.Abs(b) > 0.1)
                {
                    rows.Add([a, b]);
                    gold.Add(a * b > 0 ? 1 : 0);
                }
            }

            return (DenseMatrix.FromRows(rows), [.. gold]);
        }

        var (x, gold) = Xor(800, 1);
        var (testX, testGold) = Xor(800, 2);
        var y = OneHot(gold, 2);

        var softmax = new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }).Fit(x, y);
        var mlp = new Mlp(new MlpOptions { HiddenSizes = [32], Epochs = 100, BatchSize = 32, LearningRate = 0.01, Dropout = 0, Seed = 1 }).Fit(x, y);

        Assert.True(Accuracy(softmax.Predict(testX), testGold) < 0.7);
        Assert.True(Accuracy(mlp.Predict(testX), testGold) >= 0.95);
    }

    [Fact]
    public void Sparse_and_dense_softmax_regression_reach_the_same_model()
    {
        var random = new Random(4);
        int n = 300, d = 30;
        var rows = new double[n][];
        var gold = new int[n];
        for (int i = 0; i < n; i++)
        {
            gold[i] = i % 2;
            rows[i] = [.. Enumerable.Range(0, d).Select(j => random.Next(5) == 0 ? (gold[i] == j % 2 ? 1.0 : 0.3) + (random.NextDouble() * 0.5) : 0)];
        }

        var dense = DenseMatrix.FromRows(rows);
        var y = OneHot(gold, 2);
        var trainer = new SoftmaxRegression(new SoftmaxRegressionOptions { L2 = 0.05, Tolerance = 1e-7, Seed = 1 });
        var a = trainer.Fit(dense, y);
        var b = trainer.Fit(SparseMatrix.FromDense(dense), y);

        Assert.All(a.Weights.ToArray().Zip(b.Weights.ToArray()), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-5));
        Assert.All(a.Biases.ToArray().Zip(b.Biases.ToArray()), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-5));
    }

    [Fact]
    public void Per_example_weights_of_zero_remove_rows_from_the_fit()
    {
        var train = MakeBlobs(300, 5, 3, seed: 5);
        var keep = Enumerable.Range(0, 300).Where(i => i % 3 != 0).ToArray();
        var weights = Enumerable.Range(0, 300).Select(i => i % 3 != 0 ? 1.0 : 0.0).ToArray();
        var trainer = new SoftmaxRegression(new SoftmaxRegressionOptions { L2 = 0.01, Tolerance = 1e-7, Seed = 1 });

        var weighted = trainer.Fit(train.X, train.Y, weights);
        var subset = trainer.Fit(train.X.SelectRows(keep), ProbabilisticLabels.FromRowMajor(
            [.. keep.SelectMany(i => train.Y.Row(i).ToArray())], 3));

        Assert.All(weighted.Weights.ToArray().Zip(subset.Weights.ToArray()), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-4));
    }

    [Fact]
    public void Mlp_early_stopping_restores_the_best_epoch()
    {
        var train = MakeBlobs(300, 5, 3, seed: 6, spread: 0.7);
        var val = MakeBlobs(150, 5, 3, seed: 7, spread: 0.7);
        var model = new Mlp(new MlpOptions { HiddenSizes = [64], Epochs = 200, LearningRate = 0.01, Dropout = 0, Patience = 4, Seed = 2 })
            .Fit(train.X, train.Y, validation: new ValidationSet(val.X, val.Y));

        Assert.True(model.History.Count < 200);
        var best = model.History.MinBy(e => e.ValidationLoss)!;
        Assert.Equal(model.History.Count - 4, best.Epoch);
        var (loss, accuracy) = Losses.Evaluate(model, val.X, val.Y, new ParallelOptions());
        Assert.Equal(best.ValidationLoss!.Value, loss, 12);
        Assert.Equal(best.ValidationAccuracy!.Value, accuracy, 12);
    }
}
