namespace Skein.Features;

/// <summary>
/// An n×d sparse float matrix in CSR form: row i's entries are <see cref="ColumnIndices"/> and <see cref="Values"/>
/// in [RowPointers[i], RowPointers[i+1]), columns strictly increasing. Immutable and thread-safe; entries finite.
/// </summary>
public sealed class SparseMatrix : FeatureMatrix
{
    private readonly int[] _rowPointers;
    private readonly int[] _columns;
    private readonly float[] _values;

    private SparseMatrix(int[] rowPointers, int[] columns, float[] values, int columnCount)
        : base(rowPointers.Length - 1, columnCount)
    {
        _rowPointers = rowPointers;
        _columns = columns;
        _values = values;
    }

    /// <summary>n+1 offsets into <see cref="ColumnIndices"/> and <see cref="Values"/>.</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    /// <summary>Column of every stored entry.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columns;

    /// <summary>Value of every stored entry.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Number of stored entries.</summary>
    public int NonZeroCount => _values.Length;

    /// <inheritdoc/>
    public override float this[int row, int column]
    {
        get
        {
            var cols = RowColumns(row);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, ColumnCount);
            int at = cols.BinarySearch(column);
            return at >= 0 ? RowValues(row)[at] : 0f;
        }
    }

    /// <summary>The stored columns of one row, strictly increasing.</summary>
    public ReadOnlySpan<int> RowColumns(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, RowCount);
        return _columns.AsSpan(_rowPointers[i], _rowPointers[i + 1] - _rowPointers[i]);
    }

    /// <summary>The stored values of one row, aligned with <see cref="RowColumns"/>.</summary>
    public ReadOnlySpan<float> RowValues(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, RowCount);
        return _values.AsSpan(_rowPointers[i], _rowPointers[i + 1] - _rowPointers[i]);
    }

    /// <summary>Copies CSR arrays into a matrix, checking their structure.</summary>
    /// <exception cref="ArgumentException">The pointers are not non-decreasing from 0 to the entry count, a row's
    /// columns are not strictly increasing within [0, <paramref name="columnCount"/>), or an entry (named by 0-based row
    /// and column) is NaN or infinite.</exception>
    public static SparseMatrix FromCsr(ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columnIndices, ReadOnlySpan<float> values, int columnCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columnCount, 1);
        if (rowPointers.Length < 1 || rowPointers[0] != 0 || rowPointers[^1] != values.Length || columnIndices.Length != values.Length)
        {
            throw new ArgumentException(
                "CSR arrays are inconsistent: rowPointers must start at 0 and end at the entry count, and columnIndices must match values in length.",
                nameof(rowPointers));
        }

        for (int i = 0; i + 1 < rowPointers.Length; i++)
        {
            int start = rowPointers[i], end = rowPointers[i + 1];
            if (end < start)
            {
                throw new ArgumentException($"rowPointers decrease at row {i}.", nameof(rowPointers));
            }

            for (int p = start; p < end; p++)
            {
                int c = columnIndices[p];
                if (c < 0 || c >= columnCount || (p > start && c <= columnIndices[p - 1]))
                {
                    throw new ArgumentException(
                        $"Row {i}: column {c} is out of [0, {columnCount}) or not strictly increasing.", nameof(columnIndices));
                }

                if (!float.IsFinite(values[p]))
                {
                    throw NonFinite(values[p], i, c, nameof(values));
                }
            }
        }

        return new SparseMatrix(rowPointers.ToArray(), columnIndices.ToArray(), values.ToArray(), columnCount);
    }

    /// <summary>The non-zero entries of a dense matrix.</summary>
    public static SparseMatrix FromDense(DenseMatrix dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var pointers = new int[dense.RowCount + 1];
        var columns = new List<int>();
        var values = new List<float>();
        for (int i = 0; i < dense.RowCount; i++)
        {
            var row = dense.Row(i);
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] != 0)
                {
                    columns.Add(j);
                    values.Add(row[j]);
                }
            }

            pointers[i + 1] = values.Count;
        }

        return new SparseMatrix(pointers, [.. columns], [.. values], dense.ColumnCount);
    }

    /// <summary>The same matrix in dense form.</summary>
    public DenseMatrix ToDense()
    {
        var dense = new float[checked(RowCount * ColumnCount)];
        for (int i = 0; i < RowCount; i++)
        {
            for (int p = _rowPointers[i]; p < _rowPointers[i + 1]; p++)
            {
                dense[(i * ColumnCount) + _columns[p]] = _values[p];
            }
        }

        return DenseMatrix.Wrap(dense, RowCount, ColumnCount);
    }

    /// <summary>Wraps arrays the caller hands over, without checks (for featurizer output valid by construction).</summary>
    internal static SparseMatrix Wrap(int[] rowPointers, int[] columns, float[] values, int columnCount) =>
        new(rowPointers, columns, values, columnCount);

    /// <inheritdoc/>
    public override FeatureMatrix SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var pointers = new int[rows.Count + 1];
        for (int r = 0; r < rows.Count; r++)
        {
            pointers[r + 1] = pointers[r] + RowColumns(rows[r]).Length;
        }

        var columns = new int[pointers[^1]];
        var values = new float[pointers[^1]];
        for (int r = 0; r < rows.Count; r++)
        {
            RowColumns(rows[r]).CopyTo(columns.AsSpan(pointers[r]));
            RowValues(rows[r]).CopyTo(values.AsSpan(pointers[r]));
        }

        return new SparseMatrix(pointers, columns, values, ColumnCount);
    }

    internal override void MultiplyTransposed(int[] rows, int rowCount, float[] weights, float[] bias, int m, float[] output, ParallelOptions parallel)
    {
        int d = ColumnCount;
        Parallel.For(0, rowCount, parallel, r =>
        {
            int start = _rowPointers[rows[r]], end = _rowPointers[rows[r] + 1];
            for (int o = 0; o < m; o++)
            {
                float sum = 0;
                int offset = o * d;
                for (int p = start; p < end; p++)
                {
                    sum += _values[p] * weights[offset + _columns[p]];
                }

                output[(r * m) + o] = bias[o] + sum;
            }
        });
    }

    internal override void AccumulateTransposedProduct(int[] rows, int rowCount, float[] coef, int m, float[] grad, ParallelOptions parallel)
    {
        int d = ColumnCount;
        // Only stored entries are touched; one task per output keeps each entry's sum in row order.
        Parallel.For(0, m, parallel, o =>
        {
            int offset = o * d;
            for (int r = 0; r < rowCount; r++)
            {
                float c = coef[(r * m) + o];
                if (c == 0)
                {
                    continue;
                }

                for (int p = _rowPointers[rows[r]]; p < _rowPointers[rows[r] + 1]; p++)
                {
                    grad[offset + _columns[p]] += c * _values[p];
                }
            }
        });
    }
}
