using Skein.Data;

namespace Skein.Tests.Data;

public class LabelMatrixTests
{
    [Fact]
    public void FromRows_keeps_votes_shape_and_default_names()
    {
        var matrix = LabelMatrix.FromRows([[0, -1, 2], [1, 1, -1]], cardinality: 3);

        Assert.Equal(2, matrix.RowCount);
        Assert.Equal(3, matrix.LfCount);
        Assert.Equal(3, matrix.Cardinality);
        Assert.Equal(["lf_0", "lf_1", "lf_2"], matrix.LfNames);
        Assert.Equal(2, matrix[0, 2]);
        Assert.Equal(-1, matrix[1, 2]);
        Assert.Equal(new sbyte[] { 1, 1, -1 }, matrix.Row(1).ToArray());
        Assert.Equal(new sbyte[] { 0, -1, 2, 1, 1, -1 }, matrix.Votes.ToArray());
    }

    [Fact]
    public void FromRows_rejects_a_vote_outside_range_naming_the_lf_and_the_row()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LabelMatrix.FromRows([[0, 1], [1, 2]], cardinality: 2, lfNames: ["spam_words", "has_link"]));

        Assert.Contains("'has_link'", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Vote 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRows_rejects_a_vote_below_abstain()
    {
        var e = Assert.Throws<ArgumentException>(() => LabelMatrix.FromRows([[-2, 0]], cardinality: 2));

        Assert.Contains("'lf_0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRowMajor_rejects_a_bad_vote_naming_lf_and_row_from_the_flat_index()
    {
        // Flat index 7 with m = 3 is row 2, LF 1.
        var votes = new sbyte[] { 0, 0, 0, 0, 0, 0, 0, 5, 0 };
        var e = Assert.Throws<ArgumentException>(() => LabelMatrix.FromRowMajor(votes, ["a", "b", "c"], cardinality: 3));

        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRows_rejects_a_ragged_row()
    {
        var e = Assert.Throws<ArgumentException>(() => LabelMatrix.FromRows([[0, 1], [1]], cardinality: 2));

        Assert.Contains("Row 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRowMajor_rejects_a_length_that_is_not_a_multiple_of_the_lf_count()
    {
        Assert.Throws<ArgumentException>(() => LabelMatrix.FromRowMajor(new sbyte[5], ["a", "b"], cardinality: 2));
    }

    [Fact]
    public void Duplicate_or_blank_lf_names_are_rejected()
    {
        var dup = Assert.Throws<ArgumentException>(() => LabelMatrix.FromRowMajor(new sbyte[4], ["x", "x"], 2));
        Assert.Contains("'x'", dup.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => LabelMatrix.FromRowMajor(new sbyte[4], ["x", " "], 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(128)]
    public void Cardinality_outside_2_to_127_is_rejected(int cardinality)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelMatrix.FromRowMajor(new sbyte[2], ["a", "b"], cardinality));
    }

    [Fact]
    public void A_matrix_without_lfs_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => LabelMatrix.FromRowMajor([], [], 2));
    }

    [Fact]
    public void Indexer_and_row_check_bounds()
    {
        var matrix = LabelMatrix.FromRows([[0, 1]], cardinality: 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => matrix[1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix[0, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix[-1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Row(1).Length);
    }

    [Fact]
    public void Density_is_the_fraction_of_non_abstain_cells()
    {
        Assert.Equal(8.0 / 15, TestMatrices.SnorkelDocExample().Density, 12);
        Assert.Equal(0, LabelMatrix.FromRows([[-1, -1]], 2).Density);
        Assert.Equal(1, LabelMatrix.FromRows([[0, 1]], 2).Density);
    }

    [Fact]
    public void Density_of_an_empty_matrix_is_zero()
    {
        var empty = LabelMatrix.FromRowMajor([], ["a"], 2);

        Assert.Equal(0, empty.RowCount);
        Assert.Equal(0, empty.Density);
    }

    [Fact]
    public void Slice_copies_the_requested_rows()
    {
        var matrix = TestMatrices.SnorkelDocExample();

        var slice = matrix.Slice(2, 2);

        Assert.Equal(2, slice.RowCount);
        Assert.Equal(matrix.LfNames, slice.LfNames);
        Assert.Equal(new sbyte[] { 1, 0, -1, -1, 0, -1 }, slice.Votes.ToArray());
        Assert.Equal(0, matrix.Slice(5, 0).RowCount);
    }

    [Fact]
    public void Slice_past_the_end_is_rejected()
    {
        var matrix = TestMatrices.SnorkelDocExample();

        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Slice(4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Slice(-1, 1));
    }

    [Fact]
    public void Concat_of_slices_restores_the_matrix()
    {
        var matrix = TestMatrices.Random(rows: 50, lfs: 4, cardinality: 3, abstainRate: 0.5, seed: 1);

        var whole = LabelMatrix.Concat([matrix.Slice(0, 17), matrix.Slice(17, 0), matrix.Slice(17, 33)]);

        Assert.Equal(matrix.RowCount, whole.RowCount);
        Assert.Equal(matrix.Votes.ToArray(), whole.Votes.ToArray());
    }

    [Fact]
    public void Concat_rejects_parts_with_different_lfs_or_cardinality()
    {
        var a = LabelMatrix.FromRows([[0, 1]], 2, ["x", "y"]);
        var renamed = LabelMatrix.FromRows([[0, 1]], 2, ["x", "z"]);
        var wider = LabelMatrix.FromRows([[0, 1]], 3, ["x", "y"]);

        Assert.Throws<ArgumentException>(() => LabelMatrix.Concat([a, renamed]));
        Assert.Throws<ArgumentException>(() => LabelMatrix.Concat([a, wider]));
        Assert.Throws<ArgumentException>(() => LabelMatrix.Concat([]));
    }

    [Fact]
    public void Sparse_form_stores_only_votes_and_round_trips()
    {
        var matrix = TestMatrices.SnorkelDocExample();

        var sparse = matrix.ToSparse();

        Assert.Equal(8, sparse.VoteCount);
        Assert.Equal(5, sparse.RowCount);
        Assert.Equal(new[] { 1, 2 }, sparse.RowLfs(0).ToArray());
        Assert.Equal(new sbyte[] { 0, 0 }, sparse.RowVotes(0).ToArray());
        Assert.Equal(0, sparse.RowLfs(1).Length);
        Assert.Equal(new[] { 0, 1 }, sparse.RowLfs(2).ToArray());
        Assert.Equal(new sbyte[] { 1, 0 }, sparse.RowVotes(2).ToArray());
        var dense = sparse.ToDense();
        Assert.Equal(matrix.Votes.ToArray(), dense.Votes.ToArray());
        Assert.Equal(matrix.LfNames, dense.LfNames);
        Assert.Equal(matrix.Cardinality, dense.Cardinality);
    }

    [Fact]
    public void Sparse_round_trip_of_empty_and_all_abstain_matrices()
    {
        var empty = LabelMatrix.FromRowMajor([], ["a", "b"], 2);
        var silent = LabelMatrix.FromRows([[-1, -1], [-1, -1]], 2);

        Assert.Equal(0, empty.ToSparse().ToDense().RowCount);
        Assert.Equal(0, silent.ToSparse().VoteCount);
        Assert.Equal(silent.Votes.ToArray(), silent.ToSparse().ToDense().Votes.ToArray());
    }

    [Fact]
    public void Sparse_row_access_checks_bounds()
    {
        var sparse = TestMatrices.SnorkelDocExample().ToSparse();

        Assert.Throws<ArgumentOutOfRangeException>(() => sparse.RowLfs(5).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => sparse.RowVotes(-1).Length);
    }
}
