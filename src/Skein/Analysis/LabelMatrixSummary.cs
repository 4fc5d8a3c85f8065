using Skein.Data;

namespace Skein.Analysis;

/// <summary>Per-LF statistics with Snorkel's <c>LFAnalysis.lf_summary</c> semantics.</summary>
/// <param name="Name">LF name.</param>
/// <param name="Polarity">Sorted distinct classes the LF ever voted.</param>
/// <param name="Coverage">Fraction of rows the LF voted on.</param>
/// <param name="Overlaps">Fraction of rows the LF voted on where at least one other LF voted.</param>
/// <param name="Conflicts">Fraction of rows the LF voted on that carry two distinct labels (the LF may agree with the majority).</param>
/// <param name="Correct">Votes equal to the gold label (gold given and not -1); null without gold.</param>
/// <param name="Incorrect">Votes different from a known gold label; null without gold.</param>
/// <param name="EmpiricalAccuracy">
/// ½(mean over the LF's votes of ±1 for right/wrong + 1); a vote on a row with gold -1 counts as wrong, an LF
/// that never votes gets 0 (Snorkel's nan_to_num). Null without gold.
/// </param>
public sealed record LabelingFunctionStats(
    string Name,
    IReadOnlyList<int> Polarity,
    double Coverage,
    double Overlaps,
    double Conflicts,
    long? Correct = null,
    long? Incorrect = null,
    double? EmpiricalAccuracy = null);

/// <summary>
/// LF analysis of a label matrix: per-LF polarity, coverage, overlaps, conflicts and, with gold labels,
/// correct/incorrect counts, empirical accuracy and per-LF confusion; plus data-set level coverage,
/// overlap and conflict. Matches Snorkel's <c>LFAnalysis</c>.
/// </summary>
public sealed class LabelMatrixSummary
{
    private readonly long[]? _confusion;

    private LabelMatrixSummary(IReadOnlyList<LabelingFunctionStats> lfs, long rowCount, int cardinality,
        double coverage, double overlap, double conflict, long[]? confusion)
    {
        LabelingFunctions = lfs;
        RowCount = rowCount;
        Cardinality = cardinality;
        LabelCoverage = coverage;
        LabelOverlap = overlap;
        LabelConflict = conflict;
        _confusion = confusion;
    }

    /// <summary>One entry per LF, in column order.</summary>
    public IReadOnlyList<LabelingFunctionStats> LabelingFunctions { get; }

    /// <summary>Number of rows analysed.</summary>
    public long RowCount { get; }

    /// <summary>Number of classes.</summary>
    public int Cardinality { get; }

    /// <summary>Fraction of rows with at least one vote.</summary>
    public double LabelCoverage { get; }

    /// <summary>Fraction of rows with at least two votes.</summary>
    public double LabelOverlap { get; }

    /// <summary>Fraction of rows with at least two distinct labels.</summary>
    public double LabelConflict { get; }

    /// <summary>Whether gold labels were given.</summary>
    public bool HasGold => _confusion is not null;

    /// <summary>
    /// Confusion of one LF against gold: entry [g + 1, v + 1] counts rows with gold g and vote v, where
    /// index 0 stands for -1 (gold unknown / abstain). A (k+1)×(k+1) array.
    /// </summary>
    /// <exception cref="InvalidOperationException">No gold labels were given.</exception>
    public long[,] Confusion(int lf)
    {
        var confusion = _confusion ?? throw new InvalidOperationException("The summary was computed without gold labels.");
        int size = Cardinality + 1;
        var result = new long[size, size];
        int offset = lf * size * size;
        for (int g = 0; g < size; g++)
        {
            for (int v = 0; v < size; v++)
            {
                result[g, v] = confusion[offset + (g * size) + v];
            }
        }

        return result;
    }

    /// <summary>Analyses a label matrix, optionally against gold labels (-1 = unknown).</summary>
    /// <exception cref="ArgumentException">Gold has the wrong length or a label outside [-1, k).</exception>
    public static LabelMatrixSummary Create(LabelMatrix matrix, IReadOnlyList<int>? gold = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var stats = SufficientStatistics.Compute(matrix, includeJointCounts: false);
        long[]? confusion = gold is null ? null : GoldConfusion(matrix, gold);
        return FromStatistics(stats, matrix.LfNames, confusion);
    }

    /// <summary>Builds the summary (without gold) from sufficient statistics, e.g. merged over partitions.</summary>
    public static LabelMatrixSummary FromStatistics(SufficientStatistics stats, IReadOnlyList<string> lfNames) =>
        FromStatistics(stats, lfNames, null);

    private static LabelMatrixSummary FromStatistics(SufficientStatistics stats, IReadOnlyList<string> lfNames, long[]? confusion)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(lfNames);
        if (lfNames.Count != stats.LfCount)
        {
            throw new ArgumentException($"{lfNames.Count} names for {stats.LfCount} LFs.", nameof(lfNames));
        }

        int k = stats.Cardinality, size = k + 1;
        double n = stats.RowCount;
        var lfs = new LabelingFunctionStats[stats.LfCount];
        for (int j = 0; j < stats.LfCount; j++)
        {
            var polarity = Enumerable.Range(0, k).Where(c => stats.ClassVotes(j, c) > 0).ToArray();
            var entry = new LabelingFunctionStats(lfNames[j], polarity,
                Ratio(stats.Votes(j), n), Ratio(stats.LfOverlapRows(j), n), Ratio(stats.LfConflictRows(j), n));
            if (confusion is not null)
            {
                int offset = j * size * size;
                long correct = 0, incorrect = 0, votedOnUnknownGold = 0;
                for (int v = 1; v < size; v++)
                {
                    votedOnUnknownGold += confusion[offset + v];
                    for (int g = 1; g < size; g++)
                    {
                        long count = confusion[offset + (g * size) + v];
                        if (g == v)
                        {
                            correct += count;
                        }
                        else
                        {
                            incorrect += count;
                        }
                    }
                }

                long voted = correct + incorrect + votedOnUnknownGold;
                double accuracy = voted == 0 ? 0 : 0.5 * (((double)(correct - (voted - correct)) / voted) + 1);
                entry = entry with { Correct = correct, Incorrect = incorrect, EmpiricalAccuracy = accuracy };
            }

            lfs[j] = entry;
        }

        return new LabelMatrixSummary(lfs, stats.RowCount, k,
            Ratio(stats.CoveredRows, n), Ratio(stats.OverlapRows, n), Ratio(stats.ConflictRows, n), confusion);
    }

    private static double Ratio(long count, double n) => n == 0 ? 0 : count / n;

    private static long[] GoldConfusion(LabelMatrix matrix, IReadOnlyList<int> gold)
    {
        if (gold.Count != matrix.RowCount)
        {
            throw new ArgumentException($"{gold.Count} gold labels for {matrix.RowCount} rows.", nameof(gold));
        }

        int m = matrix.LfCount, k = matrix.Cardinality, size = k + 1;
        var confusion = new long[m * size * size];
        var votes = matrix.Votes;
        for (int i = 0; i < matrix.RowCount; i++)
        {
            int g = gold[i];
            if (g < -1 || g >= k)
            {
                throw new ArgumentException($"Gold label {g} on row {i} is outside [-1, {k}).", nameof(gold));
            }

            var row = votes.Slice(i * m, m);
            for (int j = 0; j < m; j++)
            {
                confusion[(j * size * size) + ((g + 1) * size) + row[j] + 1]++;
            }
        }

        return confusion;
    }
}
