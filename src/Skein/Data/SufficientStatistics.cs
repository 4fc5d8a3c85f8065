using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Skein.Data;

/// <summary>
/// One-pass, mergeable summary of a label matrix: everything majority vote, LF analysis, the
/// matrix-completion and the triplet label models need, without keeping the matrix. Statistics of
/// disjoint row partitions combine with <see cref="Merge(IReadOnlyList{SufficientStatistics})"/> into exactly the statistics of their union.
/// </summary>
/// <remarks>
/// Counts are stored as <see cref="long"/>; the joint table is (m·k)² longs, so it is optional for very
/// wide matrices (see <see cref="Compute(LabelMatrix, bool, int)"/>).
/// </remarks>
public sealed class SufficientStatistics
{
    private readonly long[] _classVotes;
    private readonly long[] _lfOverlapRows;
    private readonly long[] _lfConflictRows;
    private readonly long[]? _joint;

    private SufficientStatistics(int lfCount, int cardinality, long rowCount, long coveredRows, long overlapRows,
        long conflictRows, long[] classVotes, long[] lfOverlapRows, long[] lfConflictRows, long[]? joint)
    {
        LfCount = lfCount;
        Cardinality = cardinality;
        RowCount = rowCount;
        CoveredRows = coveredRows;
        OverlapRows = overlapRows;
        ConflictRows = conflictRows;
        _classVotes = classVotes;
        _lfOverlapRows = lfOverlapRows;
        _lfConflictRows = lfConflictRows;
        _joint = joint;
    }

    /// <summary>Number of LFs, m.</summary>
    public int LfCount { get; }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality { get; }

    /// <summary>Number of rows seen, n.</summary>
    public long RowCount { get; }

    /// <summary>Rows with at least one non-abstain vote.</summary>
    public long CoveredRows { get; }

    /// <summary>Rows with at least two non-abstain votes.</summary>
    public long OverlapRows { get; }

    /// <summary>Rows carrying at least two distinct non-abstain labels.</summary>
    public long ConflictRows { get; }

    /// <summary>Whether the pairwise (LF, class) × (LF, class) table was computed.</summary>
    public bool HasJointCounts => _joint is not null;

    /// <summary>Number of rows on which LF <paramref name="lf"/> voted class <paramref name="label"/>.</summary>
    public long ClassVotes(int lf, int label) => _classVotes[Index(lf, label)];

    /// <summary>Number of rows on which LF <paramref name="lf"/> did not abstain.</summary>
    public long Votes(int lf)
    {
        long total = 0;
        for (int c = 0; c < Cardinality; c++)
        {
            total += _classVotes[Index(lf, c)];
        }

        return total;
    }

    /// <summary>Rows on which LF <paramref name="lf"/> voted and at least one other LF voted too.</summary>
    public long LfOverlapRows(int lf) => _lfOverlapRows[lf];

    /// <summary>Rows on which LF <paramref name="lf"/> voted and the row carries two distinct labels.</summary>
    public long LfConflictRows(int lf) => _lfConflictRows[lf];

    /// <summary>
    /// Number of rows on which LF <paramref name="lfA"/> voted <paramref name="labelA"/> and LF
    /// <paramref name="lfB"/> voted <paramref name="labelB"/>. For lfA = lfB this is the class vote count when
    /// the labels match and 0 otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">The joint table was not computed.</exception>
    public long JointVotes(int lfA, int labelA, int lfB, int labelB)
    {
        var joint = _joint ?? throw new InvalidOperationException(
            "These statistics were computed without joint counts; pass includeJointCounts: true.");
        int mk = LfCount * Cardinality;
        return joint[((long)Index(lfA, labelA) * mk) + Index(lfB, labelB)];
    }

    /// <summary>Rows on which both LFs voted.</summary>
    public long CoVotes(int lfA, int lfB) => PairCount(lfA, lfB, agreeOnly: false);

    /// <summary>Rows on which both LFs voted the same class.</summary>
    public long Agreements(int lfA, int lfB) => PairCount(lfA, lfB, agreeOnly: true);

    /// <summary>Rows on which both LFs voted, for different classes.</summary>
    public long Disagreements(int lfA, int lfB) => CoVotes(lfA, lfB) - Agreements(lfA, lfB);

    private long PairCount(int lfA, int lfB, bool agreeOnly)
    {
        long total = 0;
        for (int a = 0; a < Cardinality; a++)
        {
            for (int b = 0; b < Cardinality; b++)
            {
                if (!agreeOnly || a == b)
                {
                    total += JointVotes(lfA, a, lfB, b);
                }
            }
        }

        return total;
    }

    /// <summary>A copy of the (m·k)×(m·k) joint count table, row-major, indexed by lf·k + class.</summary>
    public long[] JointCountsCopy() => (long[])(_joint ?? throw new InvalidOperationException(
        "These statistics were computed without joint counts.")).Clone();

    private int Index(int lf, int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lf, LfCount);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, Cardinality);
        return (lf * Cardinality) + label;
    }

    /// <summary>
    /// Computes the statistics in one pass over the rows, in parallel over row blocks.
    /// </summary>
    /// <param name="matrix">The label matrix.</param>
    /// <param name="includeJointCounts">Also count every pair of (LF, class) votes on a row.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; -1 = all cores.</param>
    public static SufficientStatistics Compute(LabelMatrix matrix, bool includeJointCounts = true, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        const int blockRows = 16_384;
        int blocks = Math.Max(1, (matrix.RowCount + blockRows - 1) / blockRows);
        var partials = new SufficientStatistics[blocks];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, b =>
        {
            int start = b * blockRows;
            int count = Math.Min(blockRows, matrix.RowCount - start);
            partials[b] = ComputeBlock(matrix, start, count, includeJointCounts);
        });
        return Merge(partials);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static SufficientStatistics ComputeBlock(LabelMatrix matrix, int start, int count, bool includeJoint)
    {
        int m = matrix.LfCount, k = matrix.Cardinality, mk = m * k;

        // Every (LF, vote) pair, abstain included, has a slot j·(k+1) + vote + 1, so the per-vote work below needs no
        // branch on abstain (votes are close to random, so such a branch mispredicts often); abstain slots are dropped.
        int slots = m * (k + 1);
        var slotCounts = new long[slots];
        var lfOverlap = new long[m];
        var lfConflict = new long[m];
        long covered = 0, overlap = 0, conflict = 0;

        // Joint counts via bitsets: one bit per row for each slot; a pair's count is the popcount of the AND of two
        // bit rows. The cost, (m·k)²/2 · rows/64 word operations, does not grow with the vote density the way a
        // per-row pair loop does.
        // Rounded up to whole 512-bit vectors so the popcount loop needs no tail; the padding bits stay 0.
        int words = ((count + 511) >> 9) << 3;
        var bits = includeJoint ? new ulong[(long)slots * words] : null;
        var votes = matrix.Votes;
        if (Vector512.IsHardwareAccelerated && m <= 64)
        {
            // A row fits one 512-bit vector: find the voting LFs as a bit mask and touch only those (rows are sparse).
            Span<sbyte> padded = stackalloc sbyte[64];
            ulong lfMask = m == 64 ? ulong.MaxValue : (1UL << m) - 1;
            for (int r = 0; r < count; r++)
            {
                int at = (start + r) * m;
                Vector512<sbyte> row;
                if (at + 64 <= votes.Length)
                {
                    row = Vector512.Create(votes.Slice(at, 64));
                }
                else
                {
                    padded.Fill(-1);
                    votes.Slice(at, m).CopyTo(padded);
                    row = Vector512.Create((ReadOnlySpan<sbyte>)padded);
                }

                ulong voted = ~row.ExtractMostSignificantBits() & lfMask;
                if (voted == 0)
                {
                    continue;
                }

                covered++;
                int word = r >> 6;
                ulong bit = 1UL << (r & 63);
                for (ulong rest = voted; rest != 0; rest &= rest - 1)
                {
                    int j = BitOperations.TrailingZeroCount(rest);
                    int slot = (j * (k + 1)) + votes[at + j] + 1;
                    slotCounts[slot]++;
                    if (bits is not null)
                    {
                        bits[((long)slot * words) + word] |= bit;
                    }
                }

                if ((voted & (voted - 1)) != 0)
                {
                    // Two distinct labels on the row ⇔ some voting LF differs from the first one.
                    sbyte first = votes[at + BitOperations.TrailingZeroCount(voted)];
                    ulong same = Vector512.Equals(row, Vector512.Create(first)).ExtractMostSignificantBits();
                    long conflicted = (voted & ~same) != 0 ? 1 : 0;
                    overlap++;
                    conflict += conflicted;
                    for (ulong rest = voted; rest != 0; rest &= rest - 1)
                    {
                        int j = BitOperations.TrailingZeroCount(rest);
                        lfOverlap[j]++;
                        lfConflict[j] += conflicted;
                    }
                }
            }
        }
        else
        {
            ScalarRows(votes, start, count, m, k, words, bits, slotCounts, lfOverlap, lfConflict, ref covered, ref overlap, ref conflict);
        }

        var classVotes = new long[mk];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < k; c++)
            {
                classVotes[(j * k) + c] = slotCounts[(j * (k + 1)) + c + 1];
            }
        }

        var joint = bits is null ? null : JointFromBits(bits, words, m, k, classVotes);
        return new SufficientStatistics(m, k, count, covered, overlap, conflict, classVotes, lfOverlap, lfConflict, joint);
    }

    /// <summary>The per-row pass for any LF count: branch-free over the votes of a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRows(ReadOnlySpan<sbyte> votes, int start, int count, int m, int k, int words, ulong[]? bits,
        long[] slotCounts, long[] lfOverlap, long[] lfConflict, ref long covered, ref long overlap, ref long conflict)
    {
        Span<int> voted = m <= 512 ? stackalloc int[m] : new int[m];
        for (int r = 0; r < count; r++)
        {
            var row = votes.Slice((start + r) * m, m);
            int nVoted = 0, low = int.MaxValue, high = -1;
            int word = r >> 6;
            ulong bit = 1UL << (r & 63);
            for (int j = 0; j < m; j++)
            {
                int v = row[j];
                int slot = (j * (k + 1)) + v + 1;
                slotCounts[slot]++;
                if (bits is not null)
                {
                    bits[((long)slot * words) + word] |= bit;
                }

                voted[nVoted] = j;
                nVoted += (v >>> 31) ^ 1;
                low = Math.Min(low, v < 0 ? int.MaxValue : v);
                high = Math.Max(high, v);
            }

            if (nVoted == 0)
            {
                continue;
            }

            covered++;
            if (nVoted >= 2)
            {
                // Two distinct labels on the row ⇔ the smallest and largest non-abstain votes differ.
                long conflicted = low != high ? 1 : 0;
                overlap++;
                conflict += conflicted;
                for (int t = 0; t < nVoted; t++)
                {
                    int j = voted[t];
                    lfOverlap[j]++;
                    lfConflict[j] += conflicted;
                }
            }
        }
    }

    /// <summary>
    /// The symmetric joint table: the diagonal is the class vote count, the rest of an LF's own k×k block is 0
    /// (an LF casts one vote per row), and every other entry is the popcount of two bit rows, computed once per pair.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long[] JointFromBits(ulong[] bits, int words, int m, int k, long[] classVotes)
    {
        int mk = m * k;
        var joint = new long[(long)mk * mk];
        for (int a = 0; a < mk; a++)
        {
            joint[((long)a * mk) + a] = classVotes[a];
            if (classVotes[a] == 0)
            {
                continue;
            }

            var rowA = bits.AsSpan(BitSlot(a, k) * words, words);
            for (int b = ((a / k) + 1) * k; b < mk; b++)
            {
                if (classVotes[b] == 0)
                {
                    continue;
                }

                long total = AndPopCount(rowA, bits.AsSpan(BitSlot(b, k) * words, words));
                joint[((long)a * mk) + b] = total;
                joint[((long)b * mk) + a] = total;
            }
        }

        return joint;
    }

    /// <summary>Σ popcount(a[w] &amp; b[w]); the lengths are equal multiples of 8.</summary>
    internal static long AndPopCount(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (Avx512BW.IsSupported)
        {
            // No 512-bit popcount instruction is exposed, so count bits per nibble with a 16-entry table (vpshufb)
            // and sum the bytes of each 64-bit lane (vpsadbw): the classic SIMD popcount.
            var table = Vector512.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2,
                3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var nibble = Vector512.Create((byte)0x0F);
            var sums = Vector512<ulong>.Zero;
            var va = MemoryMarshal.Cast<ulong, Vector512<ulong>>(a);
            var vb = MemoryMarshal.Cast<ulong, Vector512<ulong>>(b);
            for (int i = 0; i < va.Length; i++)
            {
                var x = (va[i] & vb[i]).AsByte();
                var counts = Avx512BW.Shuffle(table, x & nibble) + Avx512BW.Shuffle(table, (x.AsUInt16() >>> 4).AsByte() & nibble);
                sums += Avx512BW.SumAbsoluteDifferences(counts, Vector512<byte>.Zero).AsUInt64();
            }

            return (long)Vector512.Sum(sums);
        }

        return AndPopCountScalar(a, b);
    }

    /// <summary>The portable form of <see cref="AndPopCount"/>.</summary>
    internal static long AndPopCountScalar(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        long total = 0;
        for (int w = 0; w < a.Length; w++)
        {
            total += BitOperations.PopCount(a[w] & b[w]);
        }

        return total;
    }

    // (LF, class) index a = j·k + c → its slot j·(k+1) + c + 1.
    private static int BitSlot(int a, int k) => a + (a / k) + 1;

    /// <summary>Combines statistics of disjoint row partitions into the statistics of their union.</summary>
    /// <exception cref="ArgumentException">The parts differ in LF count, cardinality or joint-count presence.</exception>
    public static SufficientStatistics Merge(IReadOnlyList<SufficientStatistics> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("Nothing to merge.", nameof(parts));
        }

        var first = parts[0];
        int m = first.LfCount, k = first.Cardinality;
        var classVotes = new long[m * k];
        var lfOverlap = new long[m];
        var lfConflict = new long[m];
        var joint = first.HasJointCounts ? new long[first._joint!.Length] : null;
        long rows = 0, covered = 0, overlap = 0, conflict = 0;
        foreach (var p in parts)
        {
            if (p.LfCount != m || p.Cardinality != k || p.HasJointCounts != first.HasJointCounts)
            {
                throw new ArgumentException(
                    $"Cannot merge statistics of shape m={p.LfCount}, k={p.Cardinality}, joint={p.HasJointCounts} " +
                    $"into m={m}, k={k}, joint={first.HasJointCounts}.", nameof(parts));
            }

            rows += p.RowCount;
            covered += p.CoveredRows;
            overlap += p.OverlapRows;
            conflict += p.ConflictRows;
            Add(classVotes, p._classVotes);
            Add(lfOverlap, p._lfOverlapRows);
            Add(lfConflict, p._lfConflictRows);
            if (joint is not null)
            {
                Add(joint, p._joint!);
            }
        }

        return new SufficientStatistics(m, k, rows, covered, overlap, conflict, classVotes, lfOverlap, lfConflict, joint);
    }

    /// <summary>Combines these statistics with those of another, disjoint partition.</summary>
    public SufficientStatistics Merge(SufficientStatistics other) => Merge([this, other]);

    private static void Add(long[] target, long[] source)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += source[i];
        }
    }

    /// <summary>Whether two statistics hold exactly the same counts.</summary>
    public bool CountsEqual(SufficientStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return LfCount == other.LfCount && Cardinality == other.Cardinality && RowCount == other.RowCount
            && CoveredRows == other.CoveredRows && OverlapRows == other.OverlapRows && ConflictRows == other.ConflictRows
            && _classVotes.AsSpan().SequenceEqual(other._classVotes)
            && _lfOverlapRows.AsSpan().SequenceEqual(other._lfOverlapRows)
            && _lfConflictRows.AsSpan().SequenceEqual(other._lfConflictRows)
            && HasJointCounts == other.HasJointCounts
            && (_joint is null || _joint.AsSpan().SequenceEqual(other._joint));
    }
}
