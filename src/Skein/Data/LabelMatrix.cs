namespace Skein.Data;

/// <summary>
/// A dense n×m matrix of labeling-function votes stored as <see cref="sbyte"/> in row-major order:
/// entry (i, j) is the class index in [0, k) that LF j gave to item i, or <see cref="Abstain"/> (-1).
/// Immutable and thread-safe.
/// </summary>
public sealed class LabelMatrix
{
    /// <summary>The vote that means "this LF abstains on this item".</summary>
    public const sbyte Abstain = -1;

    /// <summary>The largest cardinality an <see cref="sbyte"/> vote can encode.</summary>
    public const int MaxCardinality = sbyte.MaxValue;

    private readonly sbyte[] _votes;

    private LabelMatrix(sbyte[] votes, int rowCount, IReadOnlyList<string> lfNames, int cardinality)
    {
        _votes = votes;
        RowCount = rowCount;
        LfNames = lfNames;
        Cardinality = cardinality;
    }

    /// <summary>Number of items (rows), n.</summary>
    public int RowCount { get; }

    /// <summary>Number of labeling functions (columns), m.</summary>
    public int LfCount => LfNames.Count;

    /// <summary>Number of classes, k. Votes lie in [-1, k).</summary>
    public int Cardinality { get; }

    /// <summary>The LF name of each column.</summary>
    public IReadOnlyList<string> LfNames { get; }

    /// <summary>All votes, row-major (row i occupies [i·m, (i+1)·m)).</summary>
    public ReadOnlySpan<sbyte> Votes => _votes;

    /// <summary>The vote of LF <paramref name="lf"/> on item <paramref name="row"/>.</summary>
    public sbyte this[int row, int lf]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
            ArgumentOutOfRangeException.ThrowIfNegative(lf);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lf, LfCount);
            return _votes[(row * LfCount) + lf];
        }
    }

    /// <summary>The m votes of one item.</summary>
    public ReadOnlySpan<sbyte> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return _votes.AsSpan(row * LfCount, LfCount);
    }

    /// <summary>Fraction of cells that are not abstains.</summary>
    public double Density
    {
        get
        {
            if (_votes.Length == 0)
            {
                return 0;
            }

            long count = 0;
            foreach (var v in _votes)
            {
                count += v != Abstain ? 1 : 0;
            }

            return (double)count / _votes.Length;
        }
    }

    /// <summary>
    /// Wraps a row-major vote array without copying it. The caller hands over ownership:
    /// the array must not be changed afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">A vote is outside [-1, k), names are duplicated, or the length is not n·m.</exception>
    public static LabelMatrix FromRowMajor(sbyte[] votes, IReadOnlyList<string> lfNames, int cardinality)
    {
        ArgumentNullException.ThrowIfNull(votes);
        ArgumentNullException.ThrowIfNull(lfNames);
        ValidateCardinality(cardinality);
        var names = ValidateNames(lfNames);
        int m = names.Count;
        if (m == 0)
        {
            throw new ArgumentException("A label matrix needs at least one labeling function.", nameof(lfNames));
        }

        if (votes.Length % m != 0)
        {
            throw new ArgumentException($"{votes.Length} votes do not form rows of {m} LFs.", nameof(votes));
        }

        // SIMD min/max first; only a bad matrix pays for the scan that locates the offending cell.
        if (votes.Length > 0 && (System.Numerics.Tensors.TensorPrimitives.Min<sbyte>(votes) < Abstain
            || System.Numerics.Tensors.TensorPrimitives.Max<sbyte>(votes) >= cardinality))
        {
            int i = Array.FindIndex(votes, v => v < Abstain || v >= cardinality);
            throw new ArgumentException(
                $"Vote {votes[i]} of LF '{names[i % m]}' on row {i / m} is outside [-1, {cardinality}).", nameof(votes));
        }

        return new LabelMatrix(votes, votes.Length / m, names, cardinality);
    }

    /// <summary>Builds a matrix from rows of integer votes (copied).</summary>
    public static LabelMatrix FromRows(IReadOnlyList<IReadOnlyList<int>> rows, int cardinality, IReadOnlyList<string>? lfNames = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int m = lfNames?.Count ?? (rows.Count > 0 ? rows[0].Count : 0);
        lfNames ??= DefaultNames(m);
        var votes = new sbyte[rows.Count * m];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Count != m)
            {
                throw new ArgumentException($"Row {i} has {row.Count} votes; expected {m}.", nameof(rows));
            }

            for (int j = 0; j < m; j++)
            {
                int v = row[j];
                if (v < -1 || v >= cardinality)
                {
                    throw new ArgumentException(
                        $"Vote {v} of LF '{lfNames[j]}' on row {i} is outside [-1, {cardinality}).", nameof(rows));
                }

                votes[(i * m) + j] = (sbyte)v;
            }
        }

        return FromRowMajor(votes, lfNames, cardinality);
    }

    /// <summary>Names "lf_0", "lf_1", … used when the LFs have no names of their own.</summary>
    public static IReadOnlyList<string> DefaultNames(int count) =>
        Enumerable.Range(0, count).Select(j => $"lf_{j}").ToArray();

    /// <summary>Stacks matrices with the same LFs and cardinality row-wise (the streaming applier's output).</summary>
    public static LabelMatrix Concat(IReadOnlyList<LabelMatrix> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("Nothing to concatenate.", nameof(parts));
        }

        var first = parts[0];
        long total = 0;
        foreach (var p in parts)
        {
            if (p.Cardinality != first.Cardinality || !p.LfNames.SequenceEqual(first.LfNames))
            {
                throw new ArgumentException("All parts must have the same LFs and cardinality.", nameof(parts));
            }

            total += p._votes.Length;
        }

        var votes = new sbyte[checked((int)total)];
        int offset = 0;
        foreach (var p in parts)
        {
            p._votes.CopyTo(votes, offset);
            offset += p._votes.Length;
        }

        return new LabelMatrix(votes, votes.Length / first.LfCount, first.LfNames, first.Cardinality);
    }

    /// <summary>Rows [start, start+count) as a new matrix (copied).</summary>
    public LabelMatrix Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, RowCount);
        var votes = _votes.AsSpan(start * LfCount, count * LfCount).ToArray();
        return new LabelMatrix(votes, count, LfNames, Cardinality);
    }

    /// <summary>For each row, whether at least one LF voted (did not abstain).</summary>
    public bool[] CoveredRows()
    {
        var covered = new bool[RowCount];
        for (int i = 0; i < covered.Length; i++)
        {
            foreach (var v in Row(i))
            {
                if (v != Abstain)
                {
                    covered[i] = true;
                    break;
                }
            }
        }

        return covered;
    }

    /// <summary>The compressed sparse-row form (only non-abstain cells), for low-coverage matrices.</summary>
    public SparseLabelMatrix ToSparse() => SparseLabelMatrix.FromDense(this);

    internal static void ValidateCardinality(int cardinality)
    {
        if (cardinality < 2 || cardinality > MaxCardinality)
        {
            throw new ArgumentOutOfRangeException(nameof(cardinality), cardinality,
                $"Cardinality must be in [2, {MaxCardinality}].");
        }
    }

    internal static IReadOnlyList<string> ValidateNames(IReadOnlyList<string> lfNames)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in lfNames)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("LF names must not be empty.", nameof(lfNames));
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"Duplicate LF name '{name}'.", nameof(lfNames));
            }
        }

        return lfNames.ToArray();
    }
}
