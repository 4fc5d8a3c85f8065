using Skein.Data;

namespace Skein.Tests.Data;

public class SufficientStatisticsTests
{
    // L = [[-1,0,0],[-1,-1,-1],[1,0,-1],[-1,0,-1],[0,0,0]] (Snorkel's LFAnalysis doc example); counts by hand.
    private readonly SufficientStatistics _doc = SufficientStatistics.Compute(TestMatrices.SnorkelDocExample());

    [Fact]
    public void Row_level_counts_match_the_hand_computed_doc_example()
    {
        Assert.Equal(5, _doc.RowCount);
        Assert.Equal(4, _doc.CoveredRows);  // rows 0, 2, 3, 4
        Assert.Equal(3, _doc.OverlapRows);  // rows 0, 2, 4
        Assert.Equal(1, _doc.ConflictRows); // row 2 carries 1 and 0
    }

    [Fact]
    public void Per_lf_counts_match_the_hand_computed_doc_example()
    {
        Assert.Equal([2L, 4L, 2L], Enumerable.Range(0, 3).Select(_doc.Votes));
        Assert.Equal([2L, 3L, 2L], Enumerable.Range(0, 3).Select(_doc.LfOverlapRows));
        Assert.Equal([1L, 1L, 0L], Enumerable.Range(0, 3).Select(_doc.LfConflictRows));
        Assert.Equal(1, _doc.ClassVotes(0, 0));
        Assert.Equal(1, _doc.ClassVotes(0, 1));
        Assert.Equal(4, _doc.ClassVotes(1, 0));
        Assert.Equal(0, _doc.ClassVotes(1, 1));
        Assert.Equal(2, _doc.ClassVotes(2, 0));
    }

    [Fact]
    public void Joint_counts_pair_every_two_votes_on_a_row()
    {
        Assert.True(_doc.HasJointCounts);
        Assert.Equal(1, _doc.JointVotes(0, 1, 1, 0)); // row 2
        Assert.Equal(1, _doc.JointVotes(1, 0, 0, 1)); // symmetric
        Assert.Equal(1, _doc.JointVotes(0, 0, 1, 0)); // row 4
        Assert.Equal(2, _doc.JointVotes(1, 0, 2, 0)); // rows 0 and 4
        Assert.Equal(0, _doc.JointVotes(0, 1, 2, 0));
    }

    [Fact]
    public void Joint_diagonal_holds_class_votes_and_same_lf_different_labels_is_zero()
    {
        Assert.Equal(4, _doc.JointVotes(1, 0, 1, 0));
        Assert.Equal(1, _doc.JointVotes(0, 1, 0, 1));
        Assert.Equal(0, _doc.JointVotes(0, 0, 0, 1));
    }

    [Fact]
    public void Agreements_and_disagreements_split_the_co_votes()
    {
        Assert.Equal(2, _doc.CoVotes(0, 1));         // rows 2, 4
        Assert.Equal(1, _doc.Agreements(0, 1));      // row 4
        Assert.Equal(1, _doc.Disagreements(0, 1));   // row 2
        Assert.Equal(2, _doc.Agreements(1, 2));      // rows 0, 4
        Assert.Equal(0, _doc.Disagreements(1, 2));
        Assert.Equal(1, _doc.CoVotes(0, 2));         // row 4
        Assert.Equal(_doc.Votes(1), _doc.CoVotes(1, 1));
    }

    [Fact]
    public void Joint_table_copy_is_mk_squared_and_detached()
    {
        var copy = _doc.JointCountsCopy();

        Assert.Equal(36, copy.Length);
        Assert.Equal(1, copy[(1 * 6) + 2]); // (lf0, class1) × (lf1, class0)
        copy[(1 * 6) + 2] = 99;
        Assert.Equal(1, _doc.JointVotes(0, 1, 1, 0));
    }

    [Fact]
    public void Without_joint_counts_pairwise_queries_fail_clearly()
    {
        var stats = SufficientStatistics.Compute(TestMatrices.SnorkelDocExample(), includeJointCounts: false);

        Assert.False(stats.HasJointCounts);
        Assert.Equal(4, stats.Votes(1));
        var e = Assert.Throws<InvalidOperationException>(() => stats.JointVotes(0, 0, 1, 0));
        Assert.Contains("includeJointCounts", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => stats.Agreements(0, 1));
        Assert.Throws<InvalidOperationException>(() => stats.JointCountsCopy());
    }

    [Fact]
    public void Out_of_range_lf_or_label_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _doc.ClassVotes(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _doc.ClassVotes(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _doc.JointVotes(0, -1, 1, 0));
    }

    [Fact]
    public void Merge_of_two_halves_equals_the_whole()
    {
        var matrix = TestMatrices.SnorkelDocExample();

        var merged = SufficientStatistics.Compute(matrix.Slice(0, 2)).Merge(SufficientStatistics.Compute(matrix.Slice(2, 3)));

        Assert.True(merged.CountsEqual(_doc));
    }

    [Fact]
    public void CountsEqual_detects_a_single_changed_vote()
    {
        var changed = LabelMatrix.FromRows([[-1, 0, 0], [-1, -1, -1], [1, 0, -1], [-1, 1, -1], [0, 0, 0]], 2);

        Assert.False(SufficientStatistics.Compute(changed).CountsEqual(_doc));
        Assert.False(SufficientStatistics.Compute(TestMatrices.SnorkelDocExample(), includeJointCounts: false).CountsEqual(_doc));
    }

    [Fact]
    public void Merge_rejects_mismatched_shapes()
    {
        var binary = SufficientStatistics.Compute(LabelMatrix.FromRows([[0, 1, 0]], 2));
        var ternary = SufficientStatistics.Compute(LabelMatrix.FromRows([[0, 1, 2]], 3));
        var noJoint = SufficientStatistics.Compute(LabelMatrix.FromRows([[0, 1, 0]], 2), includeJointCounts: false);

        Assert.Throws<ArgumentException>(() => binary.Merge(ternary));
        Assert.Throws<ArgumentException>(() => binary.Merge(noJoint));
        Assert.Throws<ArgumentException>(() => SufficientStatistics.Merge([]));
    }

    [Fact]
    public void Statistics_of_an_empty_matrix_are_zero()
    {
        var stats = SufficientStatistics.Compute(LabelMatrix.FromRowMajor([], ["a", "b"], 2));

        Assert.Equal(0, stats.RowCount);
        Assert.Equal(0, stats.CoveredRows);
        Assert.Equal(0, stats.Votes(0));
    }

    [Fact]
    public void Parallel_compute_over_many_blocks_equals_sequential()
    {
        // More than one 16,384-row block, so partial statistics really are merged.
        var matrix = TestMatrices.Random(rows: 40_000, lfs: 5, cardinality: 3, abstainRate: 0.6, seed: 7);

        var sequential = SufficientStatistics.Compute(matrix, maxDegreeOfParallelism: 1);
        var parallel = SufficientStatistics.Compute(matrix, maxDegreeOfParallelism: -1);

        Assert.True(sequential.CountsEqual(parallel));
        Assert.Equal(40_000, parallel.RowCount);
    }
}
