using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class DawidSkeneTests
{
    // Reference values come from a plain-Python transcription of WRENCH's DawidSkene (MV-share init, M-step then
    // E-step, stop when Σ|Δρ| and Σ|Δπ| < 1e-5), printed with repr().
    private static readonly LabelMatrix Votes = LabelMatrix.FromRows(
    [
        [0, 0, 1],
        [1, 1, -1],
        [0, -1, 0],
        [1, 0, 1],
    ], 2);

    private static void AssertRows(double[][] expected, ProbabilisticLabels actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            for (int c = 0; c < expected[i].Length; c++)
            {
                Assert.Equal(expected[i][c], actual[i, c], 1e-12);
            }
        }
    }

    [Fact]
    public void One_iteration_is_one_m_step_from_vote_shares()
    {
        // Vote shares (2/3,1/3), (0,1), (1,0), (1/3,2/3) ⇒ ρ = (1/2, 1/2). Class-0 mass 2 in all; LF 0 voted 0 on
        // rows 0 and 2 (2/3 + 1) and 1 on rows 1 and 3 (0 + 1/3): π_0[0, ·] = (abstain 0, 5/6, 1/6).
        var model = new DawidSkene(new DawidSkeneOptions { MaxIterations = 1 }).Fit(Votes);

        Assert.Equal(1, model.Iterations);
        Assert.False(model.Converged);
        Assert.Equal(0.5, model.ClassPrior[0], 1e-15);
        Assert.Equal(0.8333333333333334, model.ConditionalProbability(0, 0, 0), 1e-15);
        Assert.Equal(0.16666666666666669, model.ConditionalProbability(0, 1, 0), 1e-15);
        Assert.Equal(0.0, model.ConditionalProbability(0, -1, 0));
        Assert.Equal(0.5, model.ConditionalProbability(1, -1, 0), 1e-15);
        AssertRows(
        [
            [0.8333333333333333, 0.16666666666666669],
            [0.0, 1.0],
            [1.0, 0.0],
            [0.16666666666666666, 0.8333333333333334],
        ], model.PredictProba(Votes));
    }

    [Fact]
    public void Two_iterations_match_the_reference()
    {
        var model = new DawidSkene(new DawidSkeneOptions { MaxIterations = 2 }).Fit(Votes);

        Assert.Equal(2, model.Iterations);
        Assert.Equal(0.9166666666666666, model.ConditionalProbability(0, 0, 0), 1e-15);
        AssertRows(
        [
            [0.9166666666666666, 0.08333333333333336],
            [0.0, 1.0],
            [1.0, 0.0],
            [0.0833333333333333, 0.9166666666666667],
        ], model.PredictProba(Votes));
    }

    [Fact]
    public void Converges_after_18_iterations_like_the_reference()
    {
        var model = new DawidSkene().Fit(Votes);

        Assert.Equal(18, model.Iterations);
        Assert.True(model.Converged);
        Assert.Equal([0.5, 0.5], model.ClassPrior.Select(p => Math.Round(p, 12)));
        Assert.Equal(0.9999987284342449, model.ConditionalProbability(0, 0, 0), 1e-12);
        Assert.Equal(1.2715657552083324e-06, model.ConditionalProbability(0, 1, 0), 1e-12);
        AssertRows(
        [
            [0.9999987284342449, 1.2715657552083341e-06],
            [0.0, 1.0],
            [1.0, 0.0],
            [1.2715657552083324e-06, 0.9999987284342449],
        ], model.PredictProba(Votes));
    }

    [Fact]
    public void Three_classes_match_the_reference()
    {
        var votes = LabelMatrix.FromRows(
        [
            [0, 1, 2],
            [2, 2, -1],
            [1, -1, 1],
            [0, 0, 2],
        ], 3);

        var model = new DawidSkene().Fit(votes);

        Assert.Equal(5, model.Iterations);
        Assert.Equal(0.5, model.ClassPrior[0], 1e-12);
        Assert.Equal(0.25, model.ClassPrior[1], 1e-12);
        Assert.Equal(0.25, model.ClassPrior[2], 1e-12);
        AssertRows(
        [
            [1.0, 3.524587387029426e-104, 2.8964215887701705e-59],
            [0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0],
            [1.0, 0.0, 1.448210794385085e-59],
        ], model.PredictProba(votes));
    }

    [Fact]
    public void A_vote_pattern_impossible_under_the_model_predicts_uniform()
    {
        // LF 0 never abstains in training, so π_0[y, abstain] = 0 for both classes: this row has probability 0
        // under every class. WRENCH would return an undefined row; we return uniform (same tie-broken label).
        var model = new DawidSkene().Fit(Votes);
        var impossible = LabelMatrix.FromRows([[-1, 1, 0]], 2);

        Assert.Equal([0.5, 0.5], model.PredictProba(impossible).Row(0).ToArray());
    }

    [Fact]
    public void Fit_is_bit_identical_for_every_thread_count()
    {
        var matrix = Fixtures.Large;
        var reference = new DawidSkene(new DawidSkeneOptions { MaxDegreeOfParallelism = 1 }).Fit(matrix);

        foreach (int threads in new[] { 2, 3, -1 })
        {
            var model = new DawidSkene(new DawidSkeneOptions { MaxDegreeOfParallelism = threads }).Fit(matrix);
            Assert.Equal(reference.Iterations, model.Iterations);
            Assert.Equal(reference.ClassPrior, model.ClassPrior);
            Assert.True(reference.PredictProba(matrix).BitwiseEquals(model.PredictProba(matrix)));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Recovers_lf_accuracies_within_0_02_at_n_20k(int k)
    {
        double[] accuracies = [0.9, 0.8, 0.7, 0.85, 0.65, 0.75];
        double[] propensities = [0.6, 0.5, 0.8, 0.4, 0.7, 0.9];
        double[] prior = k == 2 ? [0.65, 0.35] : [0.5, 0.3, 0.2];
        var data = Fixtures.Synthetic(20_000, k, seed: 2024, accuracies, propensities, prior);

        var model = new DawidSkene().Fit(data.Matrix);

        Assert.True(model.Converged);
        for (int j = 0; j < accuracies.Length; j++)
        {
            Assert.InRange(model.LfAccuracies[j], accuracies[j] - 0.02, accuracies[j] + 0.02);
        }

        for (int c = 0; c < k; c++)
        {
            Assert.InRange(model.ClassPrior[c], prior[c] - 0.02, prior[c] + 0.02);
        }
    }

    [Theory]
    [InlineData(0, 1e-5, -1, "MaxIterations")]
    [InlineData(10, double.NaN, -1, "Tolerance")]
    [InlineData(10, -1.0, -1, "Tolerance")]
    [InlineData(10, 1e-5, 0, "MaxDegreeOfParallelism")]
    public void Invalid_options_are_rejected_naming_the_option(int maxIterations, double tolerance, int threads, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => new DawidSkene(new DawidSkeneOptions
        {
            MaxIterations = maxIterations,
            Tolerance = tolerance,
            MaxDegreeOfParallelism = threads,
        }));

        Assert.Contains("DawidSkeneOptions." + option, error.Message, StringComparison.Ordinal);
    }
}
