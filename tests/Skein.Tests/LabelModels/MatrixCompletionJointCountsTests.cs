using Skein.Data;

namespace Skein.Tests.LabelModels;

/// <summary>
/// MatrixCompletion builds O from <see cref="SufficientStatistics"/> joint counts, which are computed with bitsets;
/// these checks pin them to the plain definition (count every ordered pair of votes on a row).
/// </summary>
public sealed class MatrixCompletionJointCountsTests
{
    [Theory]
    [InlineData(1, 3, 2, 0.5)]
    [InlineData(63, 4, 3, 0.3)]
    [InlineData(65, 5, 2, 0.9)]
    [InlineData(16_385, 3, 4, 0.2)]
    [InlineData(40_000, 7, 3, 0.6)]
    [InlineData(3_000, 64, 2, 0.3)]
    [InlineData(3_000, 70, 3, 0.3)]
    public void Bitset_joint_counts_equal_the_pair_loop_definition(int n, int m, int k, double density)
    {
        var rng = new Random(n + m + k);
        var votes = new sbyte[n * m];
        for (int i = 0; i < votes.Length; i++)
        {
            votes[i] = rng.NextDouble() < density ? (sbyte)rng.Next(k) : (sbyte)-1;
        }

        var matrix = LabelMatrix.FromRowMajor(votes, LabelMatrix.DefaultNames(m), k);
        int mk = m * k;
        var expected = new long[mk * mk];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < m; a++)
            {
                for (int b = 0; b < m; b++)
                {
                    int va = votes[(i * m) + a], vb = votes[(i * m) + b];
                    if (va >= 0 && vb >= 0)
                    {
                        expected[(((a * k) + va) * mk) + (b * k) + vb]++;
                    }
                }
            }
        }

        Assert.Equal(expected, SufficientStatistics.Compute(matrix).JointCountsCopy());
        Assert.Equal(expected, SufficientStatistics.Compute(matrix, maxDegreeOfParallelism: 1).JointCountsCopy());
    }

    [Fact]
    public void Simd_and_scalar_and_popcount_agree()
    {
        var rng = new Random(9);
        foreach (int length in new[] { 8, 16, 256 })
        {
            var a = new ulong[length];
            var b = new ulong[length];
            for (int i = 0; i < length; i++)
            {
                a[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
                b[i] = i % 7 == 0 ? ulong.MaxValue : (ulong)rng.NextInt64();
            }

            long expected = 0;
            for (int i = 0; i < length; i++)
            {
                expected += System.Numerics.BitOperations.PopCount(a[i] & b[i]);
            }

            Assert.Equal(expected, SufficientStatistics.AndPopCount(a, b));
            Assert.Equal(expected, SufficientStatistics.AndPopCountScalar(a, b));
        }
    }
}
