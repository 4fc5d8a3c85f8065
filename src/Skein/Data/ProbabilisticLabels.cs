namespace Skein.Data;

/// <summary>
/// An n×k matrix of class probabilities (a label model's <c>PredictProba</c>), row-major, every row a
/// distribution: entries finite and non-negative, summing to 1 within <see cref="SumTolerance"/>.
/// Immutable and thread-safe.
/// </summary>
public sealed class ProbabilisticLabels
{
    /// <summary>How far a row sum may stray from 1 (absolute) before it is rejected.</summary>
    public const double SumTolerance = 1e-6;

    private readonly double[] _values;

    private ProbabilisticLabels(double[] values, int cardinality)
    {
        _values = values;
        Cardinality = cardinality;
        RowCount = values.Length / cardinality;
    }

    /// <summary>Number of items (rows), n.</summary>
    public int RowCount { get; }

    /// <summary>Number of classes (columns), k.</summary>
    public int Cardinality { get; }

    /// <summary>All probabilities, row-major (row i occupies [i·k, (i+1)·k)).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>P(class <paramref name="cls"/>) for item <paramref name="row"/>.</summary>
    public double this[int row, int cls]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
            ArgumentOutOfRangeException.ThrowIfNegative(cls);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cls, Cardinality);
            return _values[(row * Cardinality) + cls];
        }
    }

    /// <summary>The k probabilities of one item.</summary>
    public ReadOnlySpan<double> Row(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, RowCount);
        return _values.AsSpan(i * Cardinality, Cardinality);
    }

    /// <summary>A copy of all probabilities, row-major.</summary>
    public double[] ToArray() => (double[])_values.Clone();

    /// <summary>Whether both matrices hold exactly the same bits (shape included).</summary>
    public bool BitwiseEquals(ProbabilisticLabels other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return RowCount == other.RowCount && Cardinality == other.Cardinality
            && System.Runtime.InteropServices.MemoryMarshal.AsBytes(_values.AsSpan())
                .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(other._values.AsSpan()));
    }

    /// <summary>
    /// Wraps a row-major array without copying it. The caller hands over ownership: the array must not be
    /// changed afterwards.
    /// </summary>
    /// <param name="values">n·k probabilities, row-major.</param>
    /// <param name="cardinality">k, at least 2.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of k, or a row (named, 0-based) has a
    /// NaN, infinite or negative entry or does not sum to 1.</exception>
    public static ProbabilisticLabels FromRowMajor(double[] values, int cardinality)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinality, 2);
        if (values.Length % cardinality != 0)
        {
            throw new ArgumentException($"{values.Length} values do not form rows of {cardinality} classes.", nameof(values));
        }

        for (int start = 0; start < values.Length; start += cardinality)
        {
            if (ValidateRow(values.AsSpan(start, cardinality)) is { } problem)
            {
                throw new ArgumentException($"Row {start / cardinality}: {problem}", nameof(values));
            }
        }

        return new ProbabilisticLabels(values, cardinality);
    }

    /// <summary>The given rows, in the given order (repeats allowed), as a new label set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside [0, RowCount).</exception>
    public ProbabilisticLabels SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int k = Cardinality;
        var values = new double[rows.Count * k];
        for (int i = 0; i < rows.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)rows[i], (uint)RowCount, nameof(rows));
            Row(rows[i]).CopyTo(values.AsSpan(i * k, k));
        }

        return new ProbabilisticLabels(values, k);
    }

    /// <summary>The most probable class of every row; ties go to the lowest class index.</summary>
    public int[] ArgMax()
    {
        var result = new int[RowCount];
        for (int i = 0; i < result.Length; i++)
        {
            var row = _values.AsSpan(i * Cardinality, Cardinality);
            int best = 0;
            for (int c = 1; c < row.Length; c++)
            {
                // Strictly greater keeps the first (lowest) class on ties.
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            result[i] = best;
        }

        return result;
    }

    /// <summary>Wraps an array without checks, for label models whose rows sum to 1 by construction.</summary>
    internal static ProbabilisticLabels Wrap(double[] values, int cardinality) => new(values, cardinality);

    /// <summary>Why a row is not a probability distribution, or null if it is (shared with the file readers).</summary>
    internal static string? ValidateRow(ReadOnlySpan<double> row)
    {
        double sum = 0;
        for (int c = 0; c < row.Length; c++)
        {
            double p = row[c];
            if (!double.IsFinite(p) || p < 0)
            {
                return $"probability {p} of class {c} is not a finite non-negative number.";
            }

            sum += p;
        }

        return Math.Abs(sum - 1) > SumTolerance ? $"probabilities sum to {sum}, not 1." : null;
    }
}
