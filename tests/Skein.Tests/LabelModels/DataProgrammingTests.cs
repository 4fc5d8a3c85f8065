using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class DataProgrammingTests
{
    private static readonly double[] TrueAccuracies = [0.85, 0.7, 0.6, 0.75, 0.9];

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Em_never_decreases_the_marginal_log_likelihood(int k)
    {
        var data = Fixtures.Synthetic(20_000, k, seed: 4);
        var model = new DataProgramming(new DataProgrammingOptions { Tolerance = 0 , MaxIterations = 60 }).Fit(data.Matrix);

        var ll = model.LogLikelihoods;
        Assert.Equal(model.Iterations, ll.Count);
        Assert.True(ll.Count > 10);
        for (int t = 1; t < ll.Count; t++)
        {
            // EM's guarantee is exact; allow only float noise once it has converged.
            Assert.True(ll[t] >= ll[t - 1] - (1e-12 * Math.Abs(ll[t - 1])), $"iteration {t}: {ll[t - 1]} → {ll[t]}");
        }

        Assert.True(ll[^1] > ll[0]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Recovers_accuracies_within_0_02_at_100k_rows(int k)
    {
        var data = Fixtures.Synthetic(100_000, k, seed: 8);

        var model = new DataProgramming().Fit(data.Matrix);

        Assert.True(model.Converged);
        for (int j = 0; j < TrueAccuracies.Length; j++)
        {
            Assert.InRange(model.LfAccuracies[j], TrueAccuracies[j] - 0.02, TrueAccuracies[j] + 0.02);
        }

        double[] propensities = [0.4, 0.5, 0.3, 0.6, 0.2];
        for (int j = 0; j < propensities.Length; j++)
        {
            Assert.InRange(model.Propensities[j], propensities[j] - 0.01, propensities[j] + 0.01);
        }
    }

    [Fact]
    public void Learns_the_class_prior_when_asked()
    {
        var data = Fixtures.Synthetic(100_000, 3, seed: 9, prior: [0.2, 0.3, 0.5]);

        var model = new DataProgramming(new DataProgrammingOptions { LearnClassPrior = true }).Fit(data.Matrix);

        Assert.InRange(model.ClassPrior[0], 0.18, 0.22);
        Assert.InRange(model.ClassPrior[1], 0.28, 0.32);
        Assert.InRange(model.ClassPrior[2], 0.48, 0.52);
        for (int j = 0; j < TrueAccuracies.Length; j++)
        {
            Assert.InRange(model.LfAccuracies[j], TrueAccuracies[j] - 0.02, TrueAccuracies[j] + 0.02);
        }
    }

    [Fact]
    public void Binary_posterior_is_sigmoid_of_twice_the_weighted_signed_votes()
    {
        var data = Fixtures.Synthetic(5_000, 2, seed: 10);
        var model = new DataProgramming().Fit(data.Matrix);
        var probs = model.PredictProba(data.Matrix);

        for (int i = 0; i < 200; i++)
        {
            double z = 0;
            for (int j = 0; j < model.LfCount; j++)
            {
                int v = data.Matrix[i, j];
                z += v < 0 ? 0 : model.Weights[j] * (v == 1 ? 1 : -1);
            }

            Assert.Equal(1 / (1 + Math.Exp(-2 * z)), probs[i, 1], 1e-12);
        }
    }

    [Fact]
    public void Multiclass_weights_match_the_normalised_accuracy_factor()
    {
        var model = new DataProgramming().Fit(Fixtures.Large);

        for (int j = 0; j < model.LfCount; j++)
        {
            // Accuracy factor e^{±w}: P(correct | voted) = e^w / (e^w + (k − 1)e^{−w}).
            double w = model.Weights[j];
            Assert.Equal(model.LfAccuracies[j], Math.Exp(w) / (Math.Exp(w) + (2 * Math.Exp(-w))), 12);
            double sum = Enumerable.Range(-1, 4).Sum(v => model.ConditionalProbability(j, v, 1));
            Assert.Equal(1.0, sum, 12);
        }
    }

    [Fact]
    public void One_iteration_is_one_e_step_at_the_initial_accuracy()
    {
        // Two rows, three LFs, k = 2, a = 0.7 for all: row 0 votes (1, 1, 0) ⇒ P(1) = σ(logit 0.7) = 0.7;
        // row 1 votes (0, -1, -1) ⇒ P(0) = 0.7. Correct mass of LF 0: 0.7 + 0.7 ⇒ a_0 = 0.7; LF 2 votes 0 on
        // row 0 (0.3) ⇒ a_2 = 0.3 after one M-step.
        var votes = LabelMatrix.FromRows([[1, 1, 0], [0, -1, -1]], 2);

        var model = new DataProgramming(new DataProgrammingOptions { MaxIterations = 1, AccuracyAboveChance = false }).Fit(votes);

        Assert.Equal(0.7, model.LfAccuracies[0], 12);
        Assert.Equal(0.7, model.LfAccuracies[1], 12);
        Assert.Equal(0.3, model.LfAccuracies[2], 12);
        Assert.False(model.Converged);

        // log P(λ) of row 0: ½(0.7·0.7·0.3 + 0.3·0.3·0.7) with propensities 1, 0.5, 0.5 (each 0.5 also for the abstain).
        double row0 = Math.Log(0.5 * ((0.7 * 0.7 * 0.3) + (0.3 * 0.3 * 0.7)) * 0.5 * 0.5);
        double row1 = Math.Log(0.5 * (0.7 + 0.3) * 0.5 * 0.5);
        Assert.Equal(row0 + row1, model.LogLikelihoods[0], 12);
    }

    [Fact]
    public void One_sided_lfs_do_not_drive_em_to_the_degenerate_maximum()
    {
        // Three LFs vote only class 1 (90% right when they vote), two only class 0 (80% right), as keyword LFs do.
        var random = new Random(21);
        int n = 4_000;
        var rows = new int[n][];
        var gold = new int[n];
        for (int i = 0; i < n; i++)
        {
            int y = random.Next(2);
            gold[i] = y;
            rows[i] = new int[5];
            for (int j = 0; j < 5; j++)
            {
                int side = j < 3 ? 1 : 0;
                double rate = y == side ? 0.5 : 0.06, accuracy = j < 3 ? 0.9 : 0.8;
                rows[i][j] = random.NextDouble() < rate * (y == side ? accuracy : 1) ? side : LabelMatrix.Abstain;
            }
        }

        var votes = LabelMatrix.FromRows(rows, 2);
        double Accuracy(LabelModel model) => model.PredictProba(votes).ArgMax().Zip(gold).Count(p => p.First == p.Second) / (double)n;

        var constrained = new DataProgramming().Fit(votes);
        var free = new DataProgramming(new DataProgrammingOptions { AccuracyAboveChance = false }).Fit(votes);

        Assert.All(constrained.LfAccuracies, a => Assert.True(a > 0.5, $"accuracy {a}"));
        Assert.True(free.LfAccuracies.Any(a => a < 0.5), $"unconstrained accuracies [{string.Join(", ", free.LfAccuracies)}]");
        // Measured: unconstrained 0.58, constrained 0.83, majority vote 0.86 (the model's class-independent propensity
        // still misfits one-sided LFs, but no longer inverts them).
        double dp = Accuracy(constrained), mv = Accuracy(new MajorityVote().Fit(votes)), unconstrained = Accuracy(free);
        Assert.True(dp > unconstrained + 0.2 && dp >= mv - 0.05, $"dp {dp}, mv {mv}, unconstrained {unconstrained}");
    }

    [Fact]
    public void L2_pulls_weights_toward_the_initial_accuracy()
    {
        var data = Fixtures.Synthetic(2_000, 2, seed: 12);
        var free = new DataProgramming().Fit(data.Matrix);
        var penalised = new DataProgramming(new DataProgrammingOptions { L2 = 1.0 }).Fit(data.Matrix);
        double w0 = 0.5 * Math.Log(0.7 / 0.3);

        for (int j = 0; j < free.LfCount; j++)
        {
            Assert.True(Math.Abs(penalised.Weights[j] - w0) < Math.Abs(free.Weights[j] - w0) + 1e-12);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(777)]
    [InlineData(4096)]
    [InlineData(5000)]
    [InlineData(20_000)]
    public void Fit_from_a_chunked_source_is_bit_identical_to_the_in_memory_fit(int chunkRows)
    {
        var matrix = Fixtures.Large;
        var source = LabelMatrixSource.FromMatrix(matrix, chunkRows);
        var options = new DataProgrammingOptions { LearnClassPrior = true, MaxIterations = chunkRows == 1 ? 3 : 1_000 };

        var expected = new DataProgramming(options).Fit(matrix);
        var actual = new DataProgramming(options).Fit(source);

        Assert.Equal(expected.LogLikelihoods, actual.LogLikelihoods);
        Assert.Equal(expected.LfAccuracies, actual.LfAccuracies);
        Assert.True(expected.PredictProba(matrix).BitwiseEquals(actual.PredictProba(matrix)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(777)]
    [InlineData(4096)]
    [InlineData(9000)]
    public void DawidSkene_fit_from_a_chunked_source_is_bit_identical_to_the_in_memory_fit(int chunkRows)
    {
        var matrix = Fixtures.Large;
        var options = new DawidSkeneOptions { MaxIterations = chunkRows == 1 ? 3 : 10_000 };

        var expected = new DawidSkene(options).Fit(matrix);
        var actual = new DawidSkene(options).Fit(LabelMatrixSource.FromMatrix(matrix, chunkRows));

        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.True(expected.PredictProba(matrix).BitwiseEquals(actual.PredictProba(matrix)));
    }

    [Theory]
    [InlineData(0, "MaxIterations")]
    [InlineData(1, "Tolerance")]
    [InlineData(2, "InitialAccuracy")]
    [InlineData(3, "L2")]
    [InlineData(4, "MaxDegreeOfParallelism")]
    public void Bad_options_name_the_option(int which, string option)
    {
        var bad = which switch
        {
            0 => new DataProgrammingOptions { MaxIterations = 0 },
            1 => new DataProgrammingOptions { Tolerance = double.NaN },
            2 => new DataProgrammingOptions { InitialAccuracy = 1 },
            3 => new DataProgrammingOptions { L2 = -1 },
            _ => new DataProgrammingOptions { MaxDegreeOfParallelism = 0 },
        };

        var error = Assert.Throws<ArgumentException>(() => new DataProgramming(bad));
        Assert.Contains("DataProgrammingOptions." + option, error.Message, StringComparison.Ordinal);
    }
}
