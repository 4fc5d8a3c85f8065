using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class MajorityVoteTests
{
    // k = 3: a 2-1 majority, a 1-1 tie, an uncovered row, a three-way tie.
    private static readonly LabelMatrix Votes = LabelMatrix.FromRows(
    [
        [0, 0, 1],
        [2, 1, -1],
        [-1, -1, -1],
        [0, 1, 2],
    ], 3);

    private static void AssertRows(double[][] expected, ProbabilisticLabels actual)
    {
        Assert.Equal(expected.Length, actual.RowCount);
        for (int i = 0; i < expected.Length; i++)
        {
            for (int c = 0; c < expected[i].Length; c++)
            {
                Assert.Equal(expected[i][c], actual[i, c], 1e-12);
            }
        }
    }

    [Fact]
    public void Wrench_variant_gives_vote_shares_and_uniform_on_uncovered_rows()
    {
        var probs = new MajorityVote().Fit(Votes).PredictProba(Votes);

        AssertRows(
        [
            [2.0 / 3, 1.0 / 3, 0],
            [0, 0.5, 0.5],
            [1.0 / 3, 1.0 / 3, 1.0 / 3],
            [1.0 / 3, 1.0 / 3, 1.0 / 3],
        ], probs);
    }

    [Fact]
    public void Snorkel_variant_gives_the_argmax_indicator_with_ties_split()
    {
        var model = new MajorityVote(new MajorityVoteOptions { Variant = MajorityVoteVariant.Snorkel }).Fit(Votes);

        AssertRows(
        [
            [1, 0, 0],
            [0, 0.5, 0.5],
            [1.0 / 3, 1.0 / 3, 1.0 / 3],
            [1.0 / 3, 1.0 / 3, 1.0 / 3],
        ], model.PredictProba(Votes));
        Assert.Equal(MajorityVoteVariant.Snorkel, model.Variant);
    }

    [Fact]
    public void Uncovered_prior_option_is_used_only_on_rows_without_votes()
    {
        var model = new MajorityVote(new MajorityVoteOptions
        {
            UncoveredPrior = ClassBalance.FromProbabilities([0.2, 0.3, 0.5]),
        }).Fit(Votes);

        var probs = model.PredictProba(Votes);
        Assert.Equal([0.2, 0.3, 0.5], probs.Row(2).ToArray());
        Assert.Equal(2.0 / 3, probs[0, 0], 1e-15);
    }

    [Fact]
    public void Uncovered_prior_of_the_wrong_cardinality_is_rejected_naming_the_option()
    {
        var trainer = new MajorityVote(new MajorityVoteOptions { UncoveredPrior = ClassBalance.Uniform(2) });

        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(Votes));
        Assert.Contains("MajorityVoteOptions.UncoveredPrior", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undefined_variant_is_rejected_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new MajorityVote(new MajorityVoteOptions { Variant = (MajorityVoteVariant)7 }));
        Assert.Contains("MajorityVoteOptions.Variant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weighted_vote_multiplies_counts_by_the_wrench_balance()
    {
        // Valid labels 0,0,1,2,2,2: counts (2,1,3), n = 6, weights (3/6, 2/6, 4/6).
        var balance = ClassBalance.FromLabels([0, 0, 1, 2, 2, 2], 3);
        var model = new WeightedMajorityVote(new WeightedMajorityVoteOptions { ClassBalance = balance }).Fit(Votes);

        AssertRows(
        [
            [0.75, 0.25, 0],            // (2·1/2, 1/3, 0) / (4/3)
            [0, 1.0 / 3, 2.0 / 3],      // (0, 1/3, 2/3) / 1
            [1.0 / 3, 1.0 / 3, 1.0 / 3],
            [1.0 / 3, 2.0 / 9, 4.0 / 9], // (1/2, 1/3, 2/3) / (3/2)
        ], model.PredictProba(Votes));
        Assert.Equal([0.5, 2.0 / 6, 4.0 / 6], model.ClassWeights);
    }

    [Fact]
    public void Weighted_vote_without_balance_equals_wrench_majority_vote()
    {
        var wmv = new WeightedMajorityVote().Fit(Fixtures.Small).PredictProba(Fixtures.Small);
        var mv = new MajorityVote().Fit(Fixtures.Small).PredictProba(Fixtures.Small);

        // Equal up to rounding: WMV sums 1/k per vote, MV divides integer counts.
        for (int i = 0; i < mv.Values.Length; i++)
        {
            Assert.Equal(mv.Values[i], wmv.Values[i], 1e-15);
        }
    }

    [Fact]
    public void Both_votes_fit_from_merged_sufficient_statistics_like_from_the_matrix()
    {
        var parts = new[] { Fixtures.Small.Slice(0, 700), Fixtures.Small.Slice(700, 1300) }
            .Select(p => SufficientStatistics.Compute(p, includeJointCounts: false)).ToArray();
        var merged = SufficientStatistics.Merge(parts);
        var balance = ClassBalance.FromLabels([0, 1, 1, 2], 3);
        ISufficientStatisticsTrainer[] trainers =
        [
            new MajorityVote(new MajorityVoteOptions { Variant = MajorityVoteVariant.Snorkel }),
            new WeightedMajorityVote(new WeightedMajorityVoteOptions { ClassBalance = balance }),
        ];

        foreach (var trainer in trainers)
        {
            var fromStats = trainer.Fit(merged).PredictProba(Fixtures.Small);
            var fromMatrix = ((ILabelModelTrainer)trainer).Fit(Fixtures.Small).PredictProba(Fixtures.Small);
            Assert.True(fromStats.BitwiseEquals(fromMatrix));
        }
    }
}
