using Skein.Features;

namespace Skein.Tests.Features;

public sealed class MatrixAndStandardizerTests
{
    [Fact]
    public void Dense_matrix_rejects_NaN_naming_row_and_column()
    {
        var error = Assert.Throws<ArgumentException>(() => DenseMatrix.FromRowMajor([1, 2, 3, float.NaN, 5, 6], 3));
        Assert.Contains("row 1, column 0", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => DenseMatrix.FromRows([[1.0, 2.0], [3.0, double.PositiveInfinity]]));
        Assert.Contains("row 1, column 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sparse_matrix_checks_structure_and_values()
    {
        var error = Assert.Throws<ArgumentException>(() => SparseMatrix.FromCsr([0, 1, 2], [0, 3], [1f, float.NegativeInfinity], 4));
        Assert.Contains("row 1, column 3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SparseMatrix.FromCsr([0, 2], [2, 1], [1f, 1f], 4));
        Assert.Throws<ArgumentException>(() => SparseMatrix.FromCsr([0, 1], [4], [1f], 4));
    }

    [Fact]
    public void Sparse_and_dense_convert_and_select_rows()
    {
        var dense = DenseMatrix.FromRowMajor([0, 1, 0, 2, 0, 3], 3);
        var sparse = SparseMatrix.FromDense(dense);
        Assert.Equal(3, sparse.NonZeroCount);
        Assert.Equal(dense.Values.ToArray(), sparse.ToDense().Values.ToArray());
        var picked = (SparseMatrix)sparse.SelectRows([1]);
        Assert.Equal(2f, picked[0, 0]);
        Assert.Equal(3f, picked[0, 2]);
        Assert.Equal(0f, picked[0, 1]);
    }

    [Fact]
    public void Standardizer_centres_and_scales_columns()
    {
        var model = Standardizer.Fit([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]]);
        Assert.Equal([2.0, 20.0, 5.0], model.Mean.ToArray());
        Assert.Equal([1.0, 10.0, 0.0], model.StandardDeviation.ToArray());

        var z = model.Transform([[1.0, 30.0, 7.0]]);
        Assert.Equal([-1f, 1f, 2f], z.Values.ToArray()); // constant column: only centred
    }

    [Fact]
    public void Standardizer_rejects_NaN_naming_row_and_column()
    {
        var error = Assert.Throws<ArgumentException>(() => Standardizer.Fit([[1.0, 2.0], [double.NaN, 1.0]]));
        Assert.Contains("row 1, column 0", error.Message, StringComparison.Ordinal);
        var model = Standardizer.Fit([[1.0, 2.0], [2.0, 1.0]]);
        error = Assert.Throws<ArgumentException>(() => model.Transform([[1.0, double.NegativeInfinity]]));
        Assert.Contains("row 0, column 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Standardizer_round_trips_through_json()
    {
        var model = Standardizer.Fit([[0.1, 1e10], [0.7, -3.3], [1.0 / 3, 2.0]]);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = StandardizerModel.Load(stream);
        Assert.Equal(model.Mean.ToArray(), loaded.Mean.ToArray());
        Assert.Equal(model.StandardDeviation.ToArray(), loaded.StandardDeviation.ToArray());
    }
}
