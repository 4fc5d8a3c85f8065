using BenchmarkDotNet.Attributes;
using Skein.Data;

namespace Skein.Benchmarks;

/// <summary>SufficientStatistics.Compute on a synthetic 1M×20 binary label matrix (70% abstains).</summary>
[MemoryDiagnoser]
public class SufficientStatisticsBenchmark
{
    private LabelMatrix _matrix = null!;

    [Params(1, -1)]
    public int Threads { get; set; }

    [Params(false, true)]
    public bool JointCounts { get; set; }

    [GlobalSetup]
    public void Setup() => _matrix = Synthetic(1_000_000, 20, 2, seed: 42);

    [Benchmark]
    public SufficientStatistics Compute() => SufficientStatistics.Compute(_matrix, JointCounts, Threads);

    /// <summary>A reproducible n×m matrix with votes uniform over k classes and 70% abstains.</summary>
    public static LabelMatrix Synthetic(int rows, int lfs, int cardinality, int seed)
    {
        var rng = new Random(seed);
        var votes = new sbyte[(long)rows * lfs];
        for (long i = 0; i < votes.LongLength; i++)
        {
            votes[i] = rng.NextDouble() < 0.7 ? LabelMatrix.Abstain : (sbyte)rng.Next(cardinality);
        }

        return LabelMatrix.FromRowMajor(votes, LabelMatrix.DefaultNames(lfs), cardinality);
    }
}
