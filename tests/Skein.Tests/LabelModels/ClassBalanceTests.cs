using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class ClassBalanceTests
{
    [Fact]
    public void FromLabels_reproduces_wrench_plus_one_over_the_count_without_renormalising()
    {
        var balance = ClassBalance.FromLabels([0, 1, 1, 1, 2, 2, 0, 1], 3);

        // counts (2, 4, 2), n = 8: ((2+1)/8, (4+1)/8, (2+1)/8), summing to 1 + 3/8.
        Assert.Equal([3.0 / 8, 5.0 / 8, 3.0 / 8], balance.Weights);
        Assert.False(balance.IsDistribution);
        var probabilities = balance.ToProbabilities();
        Assert.Equal(3.0 / 11, probabilities[0], 1e-15);
        Assert.Equal(5.0 / 11, probabilities[1], 1e-15);
    }

    [Fact]
    public void FromLabels_gives_an_absent_class_one_over_n_as_wrench_does_with_a_known_class_count()
    {
        var balance = ClassBalance.FromLabels([0, 0, 1, 1], 3);

        Assert.Equal([0.75, 0.75, 0.25], balance.Weights);
    }

    [Fact]
    public void FromLabels_rejects_out_of_range_and_empty_labels()
    {
        Assert.Contains("outside [0, 2)", Assert.Throws<ArgumentException>(() => ClassBalance.FromLabels([0, 2], 2)).Message,
            StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ClassBalance.FromLabels([], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassBalance.FromLabels([0], 1));
    }

    [Fact]
    public void Uniform_is_one_over_k()
    {
        var balance = ClassBalance.Uniform(4);

        Assert.Equal([0.25, 0.25, 0.25, 0.25], balance.Weights);
        Assert.True(balance.IsDistribution);
    }

    [Fact]
    public void FromProbabilities_accepts_sums_within_1e_6()
    {
        var balance = ClassBalance.FromProbabilities([0.3, 0.7 + 5e-7]);

        Assert.Equal(2, balance.Cardinality);
    }

    [Theory]
    [InlineData(new[] { 0.3, 0.6 }, "sums to")]
    [InlineData(new[] { 0.5, 0.5 + 2e-6 }, "sums to")]
    [InlineData(new[] { 1.0, 0.0 }, "ClassBalance[1]")]
    [InlineData(new[] { 0.5, double.NaN }, "ClassBalance[1]")]
    [InlineData(new[] { -0.5, 1.5 }, "ClassBalance[0]")]
    [InlineData(new[] { 1.0 }, "at least 2")]
    public void FromProbabilities_rejects_bad_vectors_naming_the_option(double[] values, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ClassBalance.FromProbabilities(values));

        Assert.Contains("ClassBalance", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVotes_averages_vote_shares_over_covered_rows_with_laplace_smoothing()
    {
        // Rows: [0,0,1] shares (2/3, 1/3, 0); [2,-1,-1] (0, 0, 1); all-abstain skipped; [1,1,-1] (0, 1, 0).
        var matrix = Skein.Data.LabelMatrix.FromRows([[0, 0, 1], [2, -1, -1], [-1, -1, -1], [1, 1, -1]], 3);
        var balance = ClassBalance.FromVotes(matrix);

        Assert.True(balance.IsDistribution);
        Assert.Equal((2.0 / 3) + 1, balance.Weights[0] * 6, 12);
        Assert.Equal((1.0 / 3) + 1 + 1, balance.Weights[1] * 6, 12);
        Assert.Equal(1 + 1, balance.Weights[2] * 6, 12);
        Assert.Equal(1, balance.Weights.Sum(), 12);
    }

    [Fact]
    public void FromVotes_of_an_all_abstain_matrix_is_uniform()
    {
        var matrix = Skein.Data.LabelMatrix.FromRows([[-1, -1], [-1, -1]], 4);
        Assert.All(ClassBalance.FromVotes(matrix).Weights, w => Assert.Equal(0.25, w, 12));
    }
}
