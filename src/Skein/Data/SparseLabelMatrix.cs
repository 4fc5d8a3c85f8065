namespace Skein.Data;

/// <summary>
/// Compressed sparse-row form of a label matrix: only non-abstain cells are stored, so memory is
/// proportional to the number of votes rather than n·m. Immutable and thread-safe.
/// </summary>
public sealed class SparseLabelMatrix
{
    private readonly long[] _rowStart;
    private readonly int[] _lfIndex;
    private readonly sbyte[] _vote;

    private SparseLabelMatrix(long[] rowStart, int[] lfIndex, sbyte[] vote, IReadOnlyList<string> lfNames, int cardinality)
    {
        _rowStart = rowStart;
        _lfIndex = lfIndex;
        _vote = vote;
        LfNames = lfNames;
        Cardinality = cardinality;
    }

    /// <summary>Number of items, n.</summary>
    public int RowCount => _rowStart.Length - 1;

    /// <summary>Number of labeling functions, m.</summary>
    public int LfCount => LfNames.Count;

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>LF names, one per column.</summary>
    public IReadOnlyList<string> LfNames { get; }

    /// <summary>Number of stored (non-abstain) votes.</summary>
    public long VoteCount => _vote.Length;

    /// <summary>The LF indices (ascending) of the non-abstain votes of one row.</summary>
    public ReadOnlySpan<int> RowLfs(int row) => _lfIndex.AsSpan(Start(row), Length(row));

    /// <summary>The non-abstain votes of one row, aligned with <see cref="RowLfs"/>.</summary>
    public ReadOnlySpan<sbyte> RowVotes(int row) => _vote.AsSpan(Start(row), Length(row));

    private int Start(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return (int)_rowStart[row];
    }

    private int Length(int row) => (int)(_rowStart[row + 1] - _rowStart[row]);

    /// <summary>Builds the sparse form of a dense matrix.</summary>
    public static SparseLabelMatrix FromDense(LabelMatrix dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        int n = dense.RowCount, m = dense.LfCount;
        var votes = dense.Votes;
        long nnz = 0;
        foreach (var v in votes)
        {
            nnz += v != LabelMatrix.Abstain ? 1 : 0;
        }

        var rowStart = new long[n + 1];
        var lfIndex = new int[nnz];
        var vote = new sbyte[nnz];
        long k = 0;
        for (int i = 0; i < n; i++)
        {
            rowStart[i] = k;
            var row = votes.Slice(i * m, m);
            for (int j = 0; j < m; j++)
            {
                if (row[j] != LabelMatrix.Abstain)
                {
                    lfIndex[k] = j;
                    vote[k] = row[j];
                    k++;
                }
            }
        }

        rowStart[n] = k;
        return new SparseLabelMatrix(rowStart, lfIndex, vote, dense.LfNames, dense.Cardinality);
    }

    /// <summary>Expands back to the dense n×m form.</summary>
    public LabelMatrix ToDense()
    {
        int m = LfCount;
        var votes = new sbyte[(long)RowCount * m];
        Array.Fill(votes, LabelMatrix.Abstain);
        for (int i = 0; i < RowCount; i++)
        {
            var lfs = RowLfs(i);
            var vs = RowVotes(i);
            for (int t = 0; t < lfs.Length; t++)
            {
                votes[(i * m) + lfs[t]] = vs[t];
            }
        }

        return LabelMatrix.FromRowMajor(votes, LfNames, Cardinality);
    }
}
