using Skein.Data;
using Skein.LabelModels;

namespace Skein.Tests.LabelModels;

public sealed class LabelModelDiagnosticsTests
{
    // Four informative LFs and one that votes at random (accuracy 1/k): the random one's learned accuracy is at
    // chance, but so is its agreement with the others, so nothing is wrong.
    private static SyntheticVotes Votes() => SyntheticVotes.Generate(new SyntheticVotesOptions
    {
        RowCount = 3000,
        Cardinality = 2,
        Accuracies = [0.85, 0.8, 0.75, 0.8, 0.5],
        Propensities = [0.6, 0.5, 0.7, 0.4, 0.6],
        Seed = 3,
    });

    [Fact]
    public void Describe_reports_learned_accuracies_propensities_and_prior_of_a_generative_model()
    {
        var data = Votes();
        var model = new DataProgramming().Fit(data.Matrix);

        var w = model.Describe(data.Matrix.LfNames);

        Assert.Equal("data_programming", w.ModelName);
        Assert.NotNull(w.Accuracies);
        Assert.NotNull(w.Propensities);
        Assert.NotNull(w.ClassPrior);
        double[] truth = [0.85, 0.8, 0.75, 0.8, 0.5];
        double[] propensity = [0.6, 0.5, 0.7, 0.4, 0.6];
        for (int j = 0; j < 5; j++)
        {
            Assert.InRange(w.Accuracies[j], truth[j] - 0.05, truth[j] + 0.05);
            Assert.InRange(w.Propensities[j], propensity[j] - 0.05, propensity[j] + 0.05);
        }

        Assert.Equal(1.0, w.ClassPrior.Sum(), 9);
    }

    [Fact]
    public void Majority_vote_has_no_accuracies_and_weighted_majority_vote_reports_its_class_weights_as_prior()
    {
        var data = Votes();
        Assert.Null(new MajorityVote().Fit(data.Matrix).Describe().Accuracies);
        var wmv = new WeightedMajorityVote(new WeightedMajorityVoteOptions { ClassBalance = ClassBalance.FromProbabilities([0.25, 0.75]) })
            .Fit(data.Matrix).Describe();
        Assert.Equal([0.25, 0.75], wmv.ClassPrior!);
        Assert.Null(wmv.Propensities);
    }

    [Fact]
    public void A_good_fit_raises_no_warning_even_with_a_random_LF()
    {
        var data = Votes();
        foreach (ILabelModelTrainer trainer in new ILabelModelTrainer[] { new DataProgramming(), new DawidSkene(), new MajorityVote() })
        {
            Assert.Empty(LabelModelDiagnostics.Check(trainer.Fit(data.Matrix), data.Matrix));
        }
    }

    [Fact]
    public void An_informative_LF_learned_at_chance_is_flagged_and_only_that_one()
    {
        var data = Votes();
        var collapsed = new DataProgrammingModel(5, 2, [0.5, 0.5], [0.5, 0.8, 0.75, 0.8, 0.5], [0.6, 0.5, 0.7, 0.4, 0.6], 1, true, [0.0]);

        var warnings = LabelModelDiagnostics.Check(collapsed, data.Matrix);

        var warning = Assert.Single(warnings);
        Assert.Equal(LabelModelWarningKind.AccuracyAtChance, warning.Kind);
        Assert.Equal(0, warning.Lf);
        Assert.Equal("lf_0", warning.LfName);
    }

    [Fact]
    public void Accuracies_mostly_below_chance_are_flagged_as_an_inverted_fit()
    {
        var data = Votes();
        var inverted = new DataProgrammingModel(5, 2, [0.5, 0.5], [0.2, 0.25, 0.3, 0.2, 0.5], [0.6, 0.5, 0.7, 0.4, 0.6], 1, true, [0.0]);

        var warnings = LabelModelDiagnostics.Check(inverted, data.Matrix);

        Assert.Contains(warnings, w => w.Kind == LabelModelWarningKind.InvertedFit);
        Assert.DoesNotContain(warnings, w => w.Kind == LabelModelWarningKind.ClassNeverVoted);
    }

    [Fact]
    public void A_class_no_LF_votes_for_is_flagged()
    {
        var matrix = LabelMatrix.FromRows([[0, 1, -1], [1, 1, 0], [0, -1, 0]], cardinality: 3);

        var warnings = LabelModelDiagnostics.Check(new MajorityVote().Fit(matrix), matrix);

        var warning = Assert.Single(warnings);
        Assert.Equal(LabelModelWarningKind.ClassNeverVoted, warning.Kind);
        Assert.Contains("class 2", warning.Message, StringComparison.Ordinal);
    }
}
