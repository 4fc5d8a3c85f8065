using CsCheck;
using Skein.Data;

namespace Skein.Tests.Data;

/// <summary>Properties over random label matrices (random n, m, k and abstain rate).</summary>
public class LabelMatrixPropertyTests
{
    /// <summary>(matrix, split point) with n in [0, 80], m in [1, 8], k in [2, 5], abstain rate in [0, 1].</summary>
    internal static readonly Gen<(LabelMatrix Matrix, int Split)> RandomMatrices =
        Gen.Select(Gen.Int[0, 80], Gen.Int[1, 8], Gen.Int[2, 5], Gen.Double[0, 1], Gen.Int, Gen.Double[0, 1])
            .Select((n, m, k, abstain, seed, split) =>
                (TestMatrices.Random(n, m, k, abstain, seed), (int)Math.Floor(split * n)));

    [Fact]
    public void Per_lf_coverage_is_at_least_overlaps_which_is_at_least_conflicts()
    {
        RandomMatrices.Sample(t =>
        {
            var stats = SufficientStatistics.Compute(t.Matrix, includeJointCounts: false);
            for (int j = 0; j < stats.LfCount; j++)
            {
                Assert.InRange(stats.LfOverlapRows(j), stats.LfConflictRows(j), stats.Votes(j));
            }

            Assert.InRange(stats.OverlapRows, stats.ConflictRows, stats.CoveredRows);
            Assert.InRange(stats.CoveredRows, 0, stats.RowCount);
        }, iter: 300);
    }

    [Fact]
    public void Merged_statistics_of_a_row_split_equal_statistics_of_the_whole()
    {
        RandomMatrices.Sample(t =>
        {
            var (matrix, split) = t;
            var whole = SufficientStatistics.Compute(matrix);
            var top = SufficientStatistics.Compute(matrix.Slice(0, split));
            var bottom = SufficientStatistics.Compute(matrix.Slice(split, matrix.RowCount - split));

            Assert.True(SufficientStatistics.Merge([top, bottom]).CountsEqual(whole));
            Assert.True(bottom.Merge(top).CountsEqual(whole));
        }, iter: 300);
    }

    [Fact]
    public void Sparse_round_trip_equals_dense()
    {
        RandomMatrices.Sample(t =>
        {
            var sparse = t.Matrix.ToSparse();
            var back = sparse.ToDense();

            Assert.Equal(t.Matrix.Votes.ToArray(), back.Votes.ToArray());
            Assert.Equal((long)Math.Round(t.Matrix.Density * t.Matrix.RowCount * t.Matrix.LfCount), sparse.VoteCount);
            for (int i = 0; i < t.Matrix.RowCount; i++)
            {
                var lfs = sparse.RowLfs(i);
                var votes = sparse.RowVotes(i);
                for (int s = 0; s < lfs.Length; s++)
                {
                    Assert.Equal(t.Matrix[i, lfs[s]], votes[s]);
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void Joint_counts_agree_with_a_direct_count()
    {
        RandomMatrices.Sample(t =>
        {
            var matrix = t.Matrix;
            var stats = SufficientStatistics.Compute(matrix);
            for (int a = 0; a < matrix.LfCount; a++)
            {
                for (int b = 0; b < matrix.LfCount; b++)
                {
                    long co = 0, agree = 0;
                    for (int i = 0; i < matrix.RowCount; i++)
                    {
                        if (matrix[i, a] >= 0 && matrix[i, b] >= 0)
                        {
                            co++;
                            agree += matrix[i, a] == matrix[i, b] ? 1 : 0;
                        }
                    }

                    Assert.Equal(co, stats.CoVotes(a, b));
                    Assert.Equal(agree, stats.Agreements(a, b));
                }
            }
        }, iter: 100);
    }
}
