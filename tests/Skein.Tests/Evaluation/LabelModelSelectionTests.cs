using Skein.Data;
using Skein.Evaluation;

namespace Skein.Tests.Evaluation;

public sealed class LabelModelSelectionTests
{
    private static SyntheticVotes Votes(int seed) => SyntheticVotes.Generate(new SyntheticVotesOptions
    {
        RowCount = 1500,
        Cardinality = 3,
        Accuracies = [0.9, 0.55, 0.6, 0.85, 0.5],
        Propensities = [0.5, 0.8, 0.7, 0.4, 0.6],
        Seed = seed,
    });

    [Fact]
    public void With_gold_it_picks_the_best_covered_accuracy_and_fits_a_temperature_that_keeps_the_argmax()
    {
        var train = Votes(1);
        var valid = Votes(2);

        var result = LabelModelSelection.Auto(train.Matrix, new LabelModelSettings { Seed = 0 }, valid.Matrix, valid.Gold);

        Assert.Equal(LabelModelSelectionCriterion.CoveredGoldAccuracy, result.Criterion);
        Assert.Equal(LabelModelCatalog.Names, result.Candidates.Select(c => c.Name));
        double best = result.Candidates.Max(c => c.Score ?? double.NegativeInfinity);
        Assert.Equal(best, result.Candidates.Single(c => c.Name == result.Chosen.Name).Score);
        Assert.NotNull(result.Temperature);
        Assert.Equal(result.Model.PredictProba(valid.Matrix).ArgMax(), result.PredictProba(valid.Matrix).ArgMax());
    }

    [Fact]
    public void A_tie_goes_to_the_simpler_model()
    {
        // Every LF is always right, so every model scores 1 on gold: majority vote, first in the catalog, wins.
        var rows = Enumerable.Range(0, 60).Select(i => (IReadOnlyList<int>)[i % 2, i % 2, i % 3 == 0 ? -1 : i % 2]).ToList();
        var matrix = LabelMatrix.FromRows(rows, cardinality: 2);
        var gold = rows.Select(r => r[0]).ToArray();

        var result = LabelModelSelection.Auto(matrix, new LabelModelSettings { Seed = 0 }, matrix, gold);

        Assert.Equal("mv", result.Chosen.Name);
        Assert.All(result.Candidates, c => Assert.Equal(1.0, c.Score!.Value, 12));
    }

    [Fact]
    public void Without_gold_it_uses_held_out_lf_agreement_and_no_temperature()
    {
        var train = Votes(3);

        var result = LabelModelSelection.Auto(train.Matrix, new LabelModelSettings { Seed = 0 });

        Assert.Equal(LabelModelSelectionCriterion.HeldOutLfAgreement, result.Criterion);
        Assert.Null(result.Temperature);
        Assert.All(result.Candidates, c => Assert.InRange(c.Score!.Value, 1.0 / 3, 1));
        Assert.Equal(result.Candidates.Max(c => c.Score!.Value), result.Candidates.Single(c => c.Name == result.Chosen.Name).Score);
    }

    [Fact]
    public void Models_needing_more_lfs_are_skipped_with_a_reason()
    {
        var matrix = LabelMatrix.FromRows([[0, 1], [1, 1], [0, 0], [1, -1]], cardinality: 2);

        var result = LabelModelSelection.Auto(matrix, new LabelModelSettings(), matrix, [0, 1, 0, 1]);

        Assert.Contains(result.Candidates, c => c.Name == "metal" && c.Score is null && c.Skipped!.Contains("3 LFs", StringComparison.Ordinal));
    }
}
