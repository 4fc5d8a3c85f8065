using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

/// <summary>Parameter recovery and Bayes-oracle accuracy on votes drawn from the conditionally independent model.</summary>
public sealed class MatrixCompletionRecoveryTests
{
    private static readonly double[] Accuracies = [0.85, 0.7, 0.6, 0.75, 0.9, 0.65, 0.8];
    private static readonly double[] Propensities = [0.4, 0.5, 0.3, 0.6, 0.2, 0.7, 0.45];

    /// <summary>True P(λ_j = c | Y = y) of the generator: propensity·accuracy on the diagonal, the rest spread evenly.</summary>
    // Snorkel's default 100 SGD steps at lr 0.01 under-fit with only 7 LFs (the gradient scales with the LF count;
    // at 50 LFs the defaults reach the oracle), so these tests train longer, as Snorkel's users commonly do.
    private static MatrixCompletionOptions Trained(int seed, ClassBalance? balance = null) =>
        new() { Seed = seed, Epochs = 1000, ClassBalance = balance };

    private static double TrueMu(int j, int c, int y, int k) =>
        Propensities[j] * (c == y ? Accuracies[j] : (1 - Accuracies[j]) / (k - 1));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Recovers_lf_accuracies_and_conditional_probabilities_at_100k(int k)
    {
        var data = Fixtures.Synthetic(100_000, k, seed: 21, Accuracies, Propensities);
        var model = new MatrixCompletion(Trained(5)).Fit(data.Matrix);

        for (int j = 0; j < Accuracies.Length; j++)
        {
            Assert.InRange(model.LfAccuracies[j], Accuracies[j] - 0.02, Accuracies[j] + 0.02);
            for (int y = 0; y < k; y++)
            {
                for (int c = 0; c < k; c++)
                {
                    Assert.InRange(model.ConditionalProbability(j, c, y), TrueMu(j, c, y, k) - 0.02, TrueMu(j, c, y, k) + 0.02);
                }

                double abstain = 1 - Propensities[j];
                Assert.InRange(model.ConditionalProbability(j, -1, y), abstain - 0.02, abstain + 0.02);
            }
        }
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(3, null)]
    [InlineData(3, new[] { 0.5, 0.3, 0.2 })]
    public void Accuracy_is_within_0_001_of_the_bayes_oracle(int k, double[]? prior)
    {
        var data = Fixtures.Synthetic(100_000, k, seed: 33, Accuracies, Propensities, prior);
        var balance = prior is null ? null : ClassBalance.FromProbabilities(prior);
        var model = new MatrixCompletion(Trained(9, balance)).Fit(data.Matrix);
        var predicted = model.Predict(data.Matrix, TieBreakPolicy.LowestClass);

        double learned = Accuracy(predicted, data.Gold);
        double oracle = Accuracy(OraclePredictions(data.Matrix, k, prior ?? Enumerable.Repeat(1.0 / k, k).ToArray()), data.Gold);

        Assert.True(learned >= oracle - 0.001, $"learned {learned}, oracle {oracle}");
    }

    [Fact]
    public void Snorkel_defaults_reach_the_bayes_oracle_with_50_lfs()
    {
        const int m = 50, k = 3;
        var accuracies = Enumerable.Range(0, m).Select(j => 0.55 + (0.35 * (j % 10) / 9)).ToArray();
        var propensities = Enumerable.Range(0, m).Select(j => 0.1 + (0.4 * ((j * 7) % 10) / 9)).ToArray();
        var data = Fixtures.Synthetic(100_000, k, seed: 1, accuracies, propensities);
        var model = new MatrixCompletion(new MatrixCompletionOptions { Seed = 1 }).Fit(data.Matrix);
        var predicted = model.Predict(data.Matrix, TieBreakPolicy.LowestClass);

        var logMu = new double[m, k + 1, k];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int y = 0; y < k; y++)
                {
                    logMu[j, c + 1, y] = Math.Log(c == y ? accuracies[j] : (1 - accuracies[j]) / (k - 1));
                }
            }
        }

        var oracle = new int[data.Matrix.RowCount];
        var score = new double[k];
        for (int i = 0; i < oracle.Length; i++)
        {
            Array.Clear(score);
            for (int j = 0; j < m; j++)
            {
                for (int y = 0; y < k; y++)
                {
                    score[y] += logMu[j, data.Matrix[i, j] + 1, y];
                }
            }

            oracle[i] = Array.IndexOf(score, score.Max());
        }

        double learned = Accuracy(predicted, data.Gold), best = Accuracy(oracle, data.Gold);
        Assert.True(learned >= best - 0.001, $"learned {learned}, oracle {best}");
        Assert.All(Enumerable.Range(0, m), j => Assert.InRange(model.LfAccuracies[j], accuracies[j] - 0.02, accuracies[j] + 0.02));
    }

    /// <summary>argmax_y log p_y + Σ_{j votes} log P(λ_j | Y = y) under the generator's true parameters (ties → lowest).</summary>
    private static int[] OraclePredictions(LabelMatrix matrix, int k, double[] prior)
    {
        var result = new int[matrix.RowCount];
        var score = new double[k];
        for (int i = 0; i < matrix.RowCount; i++)
        {
            for (int y = 0; y < k; y++)
            {
                score[y] = Math.Log(prior[y]);
                for (int j = 0; j < matrix.LfCount; j++)
                {
                    int v = matrix[i, j];
                    if (v >= 0)
                    {
                        score[y] += Math.Log(TrueMu(j, v, y, k));
                    }
                }
            }

            result[i] = Array.IndexOf(score, score.Max());
        }

        return result;
    }

    private static double Accuracy(int[] predicted, IReadOnlyList<int> gold) =>
        (double)predicted.Where((p, i) => p == gold[i]).Count() / predicted.Length;
}
