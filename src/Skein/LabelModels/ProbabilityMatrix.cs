namespace Skein.LabelModels;

/// <summary>
/// An immutable n×k matrix of class probabilities, one row per item, stored row-major as
/// <see cref="double"/>. Every row sums to 1 (within rounding). Thread-safe.
/// </summary>
public sealed class ProbabilityMatrix
{
    /// <summary>How far a row sum may stray from 1 in <see cref="FromRowMajor"/>.</summary>
    public const double RowSumTolerance = 1e-9;

    private readonly double[] _values;

    private ProbabilityMatrix(double[] values, int rowCount, int cardinality)
    {
        _values = values;
        RowCount = rowCount;
        Cardinality = cardinality;
    }

    /// <summary>Number of items (rows), n.</summary>
    public int RowCount { get; }

    /// <summary>Number of classes (columns), k.</summary>
    public int Cardinality { get; }

    /// <summary>All probabilities, row-major (row i occupies [i·k, (i+1)·k)).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>P(Y = <paramref name="label"/> | votes of item <paramref name="row"/>).</summary>
    public double this[int row, int label]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
            ArgumentOutOfRangeException.ThrowIfNegative(label);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, Cardinality);
            return _values[(row * Cardinality) + label];
        }
    }

    /// <summary>The k probabilities of one item.</summary>
    public ReadOnlySpan<double> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return _values.AsSpan(row * Cardinality, Cardinality);
    }

    /// <summary>A copy of all probabilities, row-major.</summary>
    public double[] ToArray() => (double[])_values.Clone();

    /// <summary>Whether both matrices hold exactly the same bits (shape included).</summary>
    public bool BitwiseEquals(ProbabilityMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (RowCount != other.RowCount || Cardinality != other.Cardinality)
        {
            return false;
        }

        for (int i = 0; i < _values.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(_values[i]) != BitConverter.DoubleToInt64Bits(other._values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Builds a matrix from row-major probabilities (copied), checking that every entry lies in [0, 1]
    /// and every row sums to 1 within <see cref="RowSumTolerance"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of k, or a row is not a distribution.</exception>
    public static ProbabilityMatrix FromRowMajor(ReadOnlySpan<double> values, int cardinality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinality, 2);
        if (values.Length % cardinality != 0)
        {
            throw new ArgumentException($"{values.Length} values do not form rows of {cardinality} classes.", nameof(values));
        }

        int n = values.Length / cardinality;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int c = 0; c < cardinality; c++)
            {
                double p = values[(i * cardinality) + c];
                if (!(p >= 0 && p <= 1))
                {
                    throw new ArgumentException($"Probability {p} at row {i}, class {c} is outside [0, 1].", nameof(values));
                }

                sum += p;
            }

            if (Math.Abs(sum - 1) > RowSumTolerance)
            {
                throw new ArgumentException($"Row {i} sums to {sum}, not 1.", nameof(values));
            }
        }

        return new ProbabilityMatrix(values.ToArray(), n, cardinality);
    }

    /// <summary>Wraps an array the caller hands over (no copy, no check): for label models that guarantee rows sum to 1.</summary>
    internal static ProbabilityMatrix Wrap(double[] values, int rowCount, int cardinality) =>
        new(values, rowCount, cardinality);
}
