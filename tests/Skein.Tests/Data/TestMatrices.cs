using Skein.Data;

namespace Skein.Tests.Data;

/// <summary>Small helpers to build label matrices in tests.</summary>
internal static class TestMatrices
{
    /// <summary>Snorkel's LFAnalysis doc example: 5 rows, 3 LFs, binary.</summary>
    public static LabelMatrix SnorkelDocExample() => LabelMatrix.FromRows(
        [
            [-1, 0, 0],
            [-1, -1, -1],
            [1, 0, -1],
            [-1, 0, -1],
            [0, 0, 0],
        ],
        cardinality: 2);

    /// <summary>A reproducible random matrix: each cell abstains with probability <paramref name="abstainRate"/>.</summary>
    public static LabelMatrix Random(int rows, int lfs, int cardinality, double abstainRate, int seed)
    {
        var rng = new Random(seed);
        var votes = new sbyte[rows * lfs];
        for (int i = 0; i < votes.Length; i++)
        {
            votes[i] = rng.NextDouble() < abstainRate ? LabelMatrix.Abstain : (sbyte)rng.Next(cardinality);
        }

        return LabelMatrix.FromRowMajor(votes, LabelMatrix.DefaultNames(lfs), cardinality);
    }

    public static int[][] ToJagged(LabelMatrix matrix) =>
        Enumerable.Range(0, matrix.RowCount).Select(i => matrix.Row(i).ToArray().Select(v => (int)v).ToArray()).ToArray();
}
