using System.Numerics.Tensors;

namespace Skein.Features;

/// <summary>An n×d dense float matrix, row-major. Immutable and thread-safe; every entry is finite.</summary>
public sealed class DenseMatrix : FeatureMatrix
{
    private readonly float[] _values;

    private DenseMatrix(float[] values, int rowCount, int columnCount)
        : base(rowCount, columnCount) => _values = values;

    /// <summary>All entries, row-major (row i occupies [i·d, (i+1)·d)).</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <inheritdoc/>
    public override float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, ColumnCount);
            return _values[((long)row * ColumnCount) + column];
        }
    }

    /// <summary>The d features of one row.</summary>
    public ReadOnlySpan<float> Row(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, RowCount);
        return _values.AsSpan(i * ColumnCount, ColumnCount);
    }

    /// <summary>
    /// Copies a row-major array into a matrix with <paramref name="columnCount"/> columns.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of the column count, or an entry (named by
    /// 0-based row and column) is NaN or infinite.</exception>
    public static DenseMatrix FromRowMajor(ReadOnlySpan<float> values, int columnCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columnCount, 1);
        if (values.Length % columnCount != 0)
        {
            throw new ArgumentException($"{values.Length} values do not form rows of {columnCount} columns.", nameof(values));
        }

        var copy = values.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (!float.IsFinite(copy[i]))
            {
                throw NonFinite(copy[i], i / columnCount, i % columnCount, nameof(values));
            }
        }

        return new DenseMatrix(copy, copy.Length / columnCount, columnCount);
    }

    /// <summary>Builds a matrix from rows of doubles (e.g. tabular columns), converted to float.</summary>
    /// <exception cref="ArgumentException">No columns, rows of different lengths, or an entry (named by 0-based row
    /// and column) is NaN, infinite, or too large for a float.</exception>
    public static DenseMatrix FromRows(IReadOnlyList<double[]> rows, int? columnCount = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int d = columnCount ?? (rows.Count > 0 ? rows[0]?.Length ?? 0 : 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1, nameof(columnCount));
        var values = new float[checked(rows.Count * d)];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"Row {i} is null.", nameof(rows));
            if (row.Length != d)
            {
                throw new ArgumentException($"Row {i} has {row.Length} columns; expected {d}.", nameof(rows));
            }

            for (int j = 0; j < d; j++)
            {
                float f = (float)row[j];
                if (!float.IsFinite(f))
                {
                    throw new ArgumentException(
                        $"Feature at row {i}, column {j} is {row[j]}; features must be finite numbers within float range.", nameof(rows));
                }

                values[(i * d) + j] = f;
            }
        }

        return new DenseMatrix(values, rows.Count, d);
    }

    /// <summary>Wraps an array the caller hands over, without checks (for values finite by construction).</summary>
    internal static DenseMatrix Wrap(float[] values, int rowCount, int columnCount) => new(values, rowCount, columnCount);

    /// <summary>The backing array (internal: callers must not write to it).</summary>
    internal float[] Array => _values;

    /// <inheritdoc/>
    public override FeatureMatrix SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int d = ColumnCount;
        var values = new float[checked(rows.Count * d)];
        for (int r = 0; r < rows.Count; r++)
        {
            Row(rows[r]).CopyTo(values.AsSpan(r * d, d));
        }

        return new DenseMatrix(values, rows.Count, d);
    }

    internal override void MultiplyTransposed(int[] rows, int rowCount, float[] weights, float[] bias, int m, float[] output, ParallelOptions parallel)
    {
        int d = ColumnCount;
        var values = _values;
        Parallel.For(0, rowCount, parallel, r =>
        {
            var x = values.AsSpan(rows[r] * d, d);
            var outRow = output.AsSpan(r * m, m);
            for (int o = 0; o < m; o++)
            {
                outRow[o] = bias[o] + TensorPrimitives.Dot(x, weights.AsSpan(o * d, d));
            }
        });
    }

    internal override void AccumulateTransposedProduct(int[] rows, int rowCount, float[] coef, int m, float[] grad, ParallelOptions parallel)
    {
        int d = ColumnCount;
        int chunks = (d + ColumnChunk - 1) / ColumnChunk;
        var values = _values;
        // One task per (output, column chunk); inside it rows are added in order, so every entry has one fixed sum.
        Parallel.For(0, m * chunks, parallel, t =>
        {
            int o = t / chunks, start = (t % chunks) * ColumnChunk;
            int length = Math.Min(ColumnChunk, d - start);
            var target = grad.AsSpan((o * d) + start, length);
            for (int r = 0; r < rowCount; r++)
            {
                float c = coef[(r * m) + o];
                if (c != 0)
                {
                    TensorPrimitives.MultiplyAdd(values.AsSpan((rows[r] * d) + start, length), c, target, target);
                }
            }
        });
    }
}
