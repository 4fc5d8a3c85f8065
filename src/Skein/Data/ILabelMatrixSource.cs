namespace Skein.Data;

/// <summary>
/// Label-matrix rows that can be read again and again, chunk by chunk, without ever sitting in memory at once:
/// what iterative label models (EM) need to fit data larger than memory, one pass per iteration.
/// </summary>
/// <remarks>
/// Every call to <see cref="ReadChunks"/> must yield the same rows in the same order; the chunk sizes may differ
/// between calls. Models fitted from a source give bit-identical results whatever the chunking (see
/// <see cref="LabelMatrixSource"/>).
/// </remarks>
public interface ILabelMatrixSource
{
    /// <summary>Number of labeling functions (columns), m.</summary>
    int LfCount { get; }

    /// <summary>Number of classes, k.</summary>
    int Cardinality { get; }

    /// <summary>Reads all rows from the start, as consecutive chunks with <see cref="LfCount"/> LFs and <see cref="Cardinality"/> classes.</summary>
    IEnumerable<LabelMatrix> ReadChunks();
}

/// <summary>Factories for <see cref="ILabelMatrixSource"/>.</summary>
public static class LabelMatrixSource
{
    /// <summary>
    /// An in-memory matrix served in chunks of <paramref name="chunkRows"/> rows (copied per chunk); the default
    /// serves the matrix itself as one chunk, without copying.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is below 1.</exception>
    public static ILabelMatrixSource FromMatrix(LabelMatrix matrix, int chunkRows = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        return new InMemorySource(matrix, chunkRows);
    }

    private sealed class InMemorySource(LabelMatrix matrix, int chunkRows) : ILabelMatrixSource
    {
        public int LfCount => matrix.LfCount;

        public int Cardinality => matrix.Cardinality;

        public IEnumerable<LabelMatrix> ReadChunks()
        {
            if (chunkRows >= matrix.RowCount)
            {
                yield return matrix;
                yield break;
            }

            for (int start = 0; start < matrix.RowCount; start += chunkRows)
            {
                yield return matrix.Slice(start, Math.Min(chunkRows, matrix.RowCount - start));
            }
        }
    }
}

/// <summary>Adds one row block's rows into <paramref name="sums"/>, in row order.</summary>
internal delegate void RowBlockAccumulator(ReadOnlySpan<sbyte> votes, int rows, Span<double> sums);

/// <summary>
/// One deterministic pass of per-row sums over a source. Rows are grouped into fixed blocks of
/// <see cref="BlockRows"/> by their global index; each block is summed in row order from zero, and block sums are
/// added into the totals in block order. A block cut by a chunk boundary keeps its partial sums open across chunks,
/// so the result is bit-identical for every chunking and every degree of parallelism.
/// </summary>
internal static class BlockedPass
{
    /// <summary>Rows per block (also what the in-memory EM fits have always used).</summary>
    public const int BlockRows = 4096;

    /// <summary>Runs the pass; returns the number of rows read.</summary>
    /// <exception cref="ArgumentException">A chunk's shape differs from the source's.</exception>
    public static long Run(ILabelMatrixSource source, RowBlockAccumulator accumulate, double[] totals, ParallelOptions parallel)
    {
        int m = source.LfCount, k = source.Cardinality, width = totals.Length;
        Array.Clear(totals);
        var pool = new Stack<double[]>();
        double[]? open = null; // partial sums of the block cut at the end of the previous chunk
        long row = 0;
        foreach (var chunk in source.ReadChunks())
        {
            if (chunk.LfCount != m || chunk.Cardinality != k)
            {
                throw new ArgumentException(
                    $"A chunk has {chunk.LfCount} LFs and cardinality {chunk.Cardinality}; the source declares {m} and {k}.",
                    nameof(source));
            }

            int n = chunk.RowCount;
            if (n == 0)
            {
                continue;
            }

            // Segments: the rest of the open block, then whole blocks, then a possibly cut last block.
            int head = (int)Math.Min(n, (BlockRows - (row % BlockRows)) % BlockRows);
            int segments = (head > 0 ? 1 : 0) + (((n - head) + BlockRows - 1) / BlockRows);
            var buffers = new double[segments][];
            for (int s = 0; s < segments; s++)
            {
                if (s == 0 && head > 0)
                {
                    buffers[s] = open!;
                }
                else
                {
                    var buffer = pool.Count > 0 ? pool.Pop() : new double[width];
                    Array.Clear(buffer);
                    buffers[s] = buffer;
                }
            }

            var votes = chunk;
            Parallel.For(0, segments, parallel, s =>
            {
                int start = s == 0 && head > 0 ? 0 : head + ((s - (head > 0 ? 1 : 0)) * BlockRows);
                int count = s == 0 && head > 0 ? head : Math.Min(BlockRows, n - start);
                accumulate(votes.Votes.Slice(start * m, count * m), count, buffers[s]);
            });

            row += n;
            bool lastIsOpen = row % BlockRows != 0;
            int complete = lastIsOpen ? segments - 1 : segments;
            for (int s = 0; s < complete; s++)
            {
                Add(totals, buffers[s]);
                pool.Push(buffers[s]);
            }

            open = lastIsOpen ? buffers[segments - 1] : null;
        }

        if (open is not null)
        {
            Add(totals, open);
        }

        return row;
    }

    private static void Add(double[] totals, double[] sums)
    {
        for (int t = 0; t < totals.Length; t++)
        {
            totals[t] += sums[t];
        }
    }
}
