namespace Skein.Features;

/// <summary>
/// An n×d matrix of finite float features that end models train on: either <see cref="DenseMatrix"/> or
/// <see cref="SparseMatrix"/>. Immutable and thread-safe; every entry is checked to be finite when the matrix is
/// built, so a model never sees NaN or infinity.
/// </summary>
public abstract class FeatureMatrix
{
    // Columns per parallel task in dense gradient accumulation: fixed, so the work split (and the bits) never
    // depend on the thread count.
    private protected const int ColumnChunk = 2048;

    private protected FeatureMatrix(int rowCount, int columnCount)
    {
        RowCount = rowCount;
        ColumnCount = columnCount;
    }

    /// <summary>Number of items (rows), n.</summary>
    public int RowCount { get; }

    /// <summary>Number of features (columns), d.</summary>
    public int ColumnCount { get; }

    /// <summary>Entry (row, column); 0 for an absent sparse entry.</summary>
    public abstract float this[int row, int column] { get; }

    /// <summary>A new matrix of the same form holding the given rows, in the given order.</summary>
    public abstract FeatureMatrix SelectRows(IReadOnlyList<int> rows);

    /// <summary>
    /// output[r·m + o] = bias[o] + Σ_j x[rows[r], j]·weights[o·d + j] for the first <paramref name="rowCount"/> rows.
    /// Parallel over rows; each output is one fixed-order sum, so the result does not depend on the thread count.
    /// </summary>
    internal abstract void MultiplyTransposed(int[] rows, int rowCount, float[] weights, float[] bias, int m, float[] output, ParallelOptions parallel);

    /// <summary>
    /// grad[o·d + j] += Σ_r coef[r·m + o]·x[rows[r], j], summed in row order for every (o, j), so deterministic.
    /// </summary>
    internal abstract void AccumulateTransposedProduct(int[] rows, int rowCount, float[] coef, int m, float[] grad, ParallelOptions parallel);

    /// <summary>The name of the first non-finite entry as "row i, column j", for messages.</summary>
    private protected static ArgumentException NonFinite(float value, long row, long column, string paramName) =>
        new($"Feature at row {row}, column {column} is {value}; features must be finite numbers.", paramName);

    internal static int[] AllRows(int n)
    {
        var rows = new int[n];
        for (int i = 0; i < n; i++)
        {
            rows[i] = i;
        }

        return rows;
    }
}
