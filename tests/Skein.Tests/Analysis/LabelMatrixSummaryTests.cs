using Skein.Analysis;
using Skein.Data;
using Skein.Tests.Data;

namespace Skein.Tests.Analysis;

public class LabelMatrixSummaryTests
{
    [Fact]
    public void Snorkel_doc_example_without_gold()
    {
        var summary = LabelMatrixSummary.Create(TestMatrices.SnorkelDocExample());
        var lfs = summary.LabelingFunctions;

        Assert.Equal([0.4, 0.8, 0.4], lfs.Select(s => s.Coverage));
        Assert.Equal([0.4, 0.6, 0.4], lfs.Select(s => s.Overlaps));
        Assert.Equal([0.2, 0.2, 0.0], lfs.Select(s => s.Conflicts));
        Assert.Equal([0, 1], lfs[0].Polarity);
        Assert.Equal([0], lfs[1].Polarity);
        Assert.Equal([0], lfs[2].Polarity);
        Assert.Equal(0.8, summary.LabelCoverage);
        Assert.Equal(0.6, summary.LabelOverlap);
        Assert.Equal(0.2, summary.LabelConflict);
        Assert.Equal(5, summary.RowCount);
        Assert.Equal(2, summary.Cardinality);
        Assert.Equal(["lf_0", "lf_1", "lf_2"], lfs.Select(s => s.Name));
    }

    [Fact]
    public void Without_gold_the_gold_columns_are_null_and_confusion_is_unavailable()
    {
        var summary = LabelMatrixSummary.Create(TestMatrices.SnorkelDocExample());

        Assert.False(summary.HasGold);
        Assert.All(summary.LabelingFunctions, s =>
        {
            Assert.Null(s.Correct);
            Assert.Null(s.Incorrect);
            Assert.Null(s.EmpiricalAccuracy);
        });
        Assert.Throws<InvalidOperationException>(() => summary.Confusion(0));
    }

    [Fact]
    public void With_gold_correct_incorrect_and_empirical_accuracy_are_hand_computed()
    {
        // Rows: [-1,0,0] g0 | [-1,-1,-1] g1 | [1,0,-1] g1 | [-1,0,-1] g=-1 | [0,0,0] g0.
        var summary = LabelMatrixSummary.Create(TestMatrices.SnorkelDocExample(), [0, 1, 1, -1, 0]);
        var lfs = summary.LabelingFunctions;

        Assert.True(summary.HasGold);
        // LF 0 votes 1 on row 2 (gold 1) and 0 on row 4 (gold 0): all right.
        Assert.Equal(2, lfs[0].Correct);
        Assert.Equal(0, lfs[0].Incorrect);
        Assert.Equal(1.0, lfs[0].EmpiricalAccuracy);
        // LF 1 votes 0 on rows 0, 2, 3, 4: right on 0 and 4, wrong on 2; row 3 has gold -1, so it is in neither
        // Correct nor Incorrect but counts as wrong in the empirical accuracy: ½((2 − 2)/4 + 1) = 0.5.
        Assert.Equal(2, lfs[1].Correct);
        Assert.Equal(1, lfs[1].Incorrect);
        Assert.Equal(0.5, lfs[1].EmpiricalAccuracy);
        Assert.Equal(2, lfs[2].Correct);
        Assert.Equal(0, lfs[2].Incorrect);
        Assert.Equal(1.0, lfs[2].EmpiricalAccuracy);
    }

    [Fact]
    public void Confusion_counts_gold_by_vote_with_index_zero_for_minus_one()
    {
        var summary = LabelMatrixSummary.Create(TestMatrices.SnorkelDocExample(), [0, 1, 1, -1, 0]);

        var confusion = summary.Confusion(1);

        // [gold + 1, vote + 1]
        long[,] expected =
        {
            { 0, 1, 0 }, // gold -1: row 3 voted 0
            { 0, 2, 0 }, // gold 0: rows 0 and 4 voted 0
            { 1, 1, 0 }, // gold 1: row 1 abstained, row 2 voted 0
        };
        Assert.Equal(expected, confusion);
    }

    [Fact]
    public void An_lf_that_never_votes_gets_zero_accuracy_and_no_polarity()
    {
        var matrix = LabelMatrix.FromRows([[0, -1], [1, -1], [1, -1]], 2, ["votes", "silent"]);

        var silent = LabelMatrixSummary.Create(matrix, [0, 1, 0]).LabelingFunctions[1];

        Assert.Equal(0.0, silent.EmpiricalAccuracy);
        Assert.Equal(0, silent.Correct);
        Assert.Equal(0, silent.Incorrect);
        Assert.Empty(silent.Polarity);
        Assert.Equal(0, silent.Coverage);
    }

    [Fact]
    public void An_lf_that_only_votes_on_unknown_gold_has_accuracy_zero_but_no_incorrect_votes()
    {
        var matrix = LabelMatrix.FromRows([[0], [1]], 2, ["only_unknown"]);

        var lf = LabelMatrixSummary.Create(matrix, [-1, -1]).LabelingFunctions[0];

        Assert.Equal(0, lf.Correct);
        Assert.Equal(0, lf.Incorrect);
        Assert.Equal(0.0, lf.EmpiricalAccuracy);
    }

    [Fact]
    public void Multiclass_accuracy_counts_each_vote()
    {
        var matrix = LabelMatrix.FromRows([[2], [1], [2], [0], [-1]], 3);

        var lf = LabelMatrixSummary.Create(matrix, [2, 2, 2, 0, 1]).LabelingFunctions[0];

        Assert.Equal(3, lf.Correct);
        Assert.Equal(1, lf.Incorrect);
        Assert.Equal(0.75, lf.EmpiricalAccuracy!.Value, 12);
        Assert.Equal([0, 1, 2], lf.Polarity);
    }

    [Fact]
    public void Gold_of_the_wrong_length_or_range_is_rejected()
    {
        var matrix = TestMatrices.SnorkelDocExample();

        var length = Assert.Throws<ArgumentException>(() => LabelMatrixSummary.Create(matrix, [0, 1]));
        Assert.Contains("2 gold labels for 5 rows", length.Message, StringComparison.Ordinal);
        var range = Assert.Throws<ArgumentException>(() => LabelMatrixSummary.Create(matrix, [0, 1, 2, 0, 0]));
        Assert.Contains("row 2", range.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_from_merged_partition_statistics_equals_the_direct_summary()
    {
        var matrix = TestMatrices.Random(rows: 300, lfs: 6, cardinality: 4, abstainRate: 0.7, seed: 3);
        var parts = new[] { matrix.Slice(0, 100), matrix.Slice(100, 150), matrix.Slice(250, 50) }
            .Select(p => SufficientStatistics.Compute(p, includeJointCounts: false)).ToArray();

        var merged = LabelMatrixSummary.FromStatistics(SufficientStatistics.Merge(parts), matrix.LfNames);
        var direct = LabelMatrixSummary.Create(matrix);

        Assert.Equal(direct.LabelCoverage, merged.LabelCoverage);
        Assert.Equal(direct.LabelOverlap, merged.LabelOverlap);
        Assert.Equal(direct.LabelConflict, merged.LabelConflict);
        for (int j = 0; j < matrix.LfCount; j++)
        {
            Assert.Equal(direct.LabelingFunctions[j].Coverage, merged.LabelingFunctions[j].Coverage);
            Assert.Equal(direct.LabelingFunctions[j].Overlaps, merged.LabelingFunctions[j].Overlaps);
            Assert.Equal(direct.LabelingFunctions[j].Conflicts, merged.LabelingFunctions[j].Conflicts);
            Assert.Equal(direct.LabelingFunctions[j].Polarity, merged.LabelingFunctions[j].Polarity);
        }
    }

    [Fact]
    public void FromStatistics_rejects_a_name_count_that_does_not_match()
    {
        var stats = SufficientStatistics.Compute(TestMatrices.SnorkelDocExample());

        Assert.Throws<ArgumentException>(() => LabelMatrixSummary.FromStatistics(stats, ["a", "b"]));
    }

    [Fact]
    public void Empty_matrix_has_zero_rates()
    {
        var summary = LabelMatrixSummary.Create(LabelMatrix.FromRowMajor([], ["a"], 2), []);

        Assert.Equal(0, summary.LabelCoverage);
        Assert.Equal(0, summary.LabelingFunctions[0].Coverage);
        Assert.Equal(0, summary.LabelingFunctions[0].EmpiricalAccuracy);
    }
}
