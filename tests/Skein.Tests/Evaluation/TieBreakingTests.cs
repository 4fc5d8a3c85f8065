using Skein.Data;
using Skein.Evaluation;
using Skein.LabelModels;

namespace Skein.Tests.Evaluation;

public sealed class TieBreakingTests
{
    // Reference: python3 -c "import hashlib; print([int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % t
    //                                              for i in range(10)])" for t = 2 and t = 3.
    private static readonly int[] TwoTies = [0, 1, 0, 1, 0, 0, 0, 0, 1, 1];
    private static readonly int[] ThreeTies = [0, 0, 0, 1, 0, 0, 1, 2, 1, 1];

    private static ProbabilisticLabels Uniform(int rows, int k) =>
        ProbabilisticLabels.FromRowMajor(Enumerable.Repeat(1.0 / k, rows * k).ToArray(), k);

    [Fact]
    public void Snorkel_hash_index_matches_python_hashlib()
    {
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(TwoTies[i], TieBreaking.SnorkelHashIndex(i, 2));
            Assert.Equal(ThreeTies[i], TieBreaking.SnorkelHashIndex(i, 3));
        }

        Assert.Equal(5, TieBreaking.SnorkelHashIndex(12345, 7));
        Assert.Equal(3, TieBreaking.SnorkelHashIndex(999999, 7));
    }

    [Fact]
    public void Random_policy_picks_the_hashed_position_among_the_tied_classes()
    {
        Assert.Equal(ThreeTies, TieBreaking.ProbsToPreds(Uniform(10, 3), TieBreakPolicy.Random));

        // Ties between classes 1 and 3 of 4: position 0 → class 1, position 1 → class 3.
        var probs = ProbabilisticLabels.FromRowMajor(
            Enumerable.Range(0, 10).SelectMany(_ => new[] { 0.1, 0.4, 0.1, 0.4 }).ToArray(), 4);
        Assert.Equal(TwoTies.Select(t => t == 0 ? 1 : 3), TieBreaking.ProbsToPreds(probs));
    }

    [Fact]
    public void Other_policies()
    {
        var probs = Uniform(10, 3);

        Assert.All(TieBreaking.ProbsToPreds(probs, TieBreakPolicy.Abstain), p => Assert.Equal(-1, p));
        Assert.All(TieBreaking.ProbsToPreds(probs, TieBreakPolicy.LowestClass), p => Assert.Equal(0, p));
        var a = TieBreaking.ProbsToPreds(Uniform(1000, 3), TieBreakPolicy.TrueRandom, seed: 42);
        Assert.Equal(a, TieBreaking.ProbsToPreds(Uniform(1000, 3), TieBreakPolicy.TrueRandom, seed: 42));
        Assert.Equal([0, 1, 2], a.Distinct().Order());
    }

    [Fact]
    public void Ties_are_entries_strictly_within_1e_5_of_the_max()
    {
        var probs = ProbabilisticLabels.FromRowMajor(
        [
            0.5 - 4e-6, 0.5 + 4e-6,   // |diff| = 8e-6 < 1e-5: tie
            0.5 + 6e-6, 0.5 - 6e-6,   // |diff| = 1.2e-5: no tie
            0.2, 0.8,
        ], 2);

        Assert.Equal([-1, 0, 1], TieBreaking.ProbsToPreds(probs, TieBreakPolicy.Abstain));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => TieBreaking.ProbsToPreds(Uniform(1, 2), (TieBreakPolicy)9));
        Assert.Throws<ArgumentException>(() => TieBreaking.ProbsToPreds(Uniform(1, 2), tolerance: double.NaN));
        Assert.Throws<ArgumentException>(() => ProbabilisticLabels.FromRowMajor([0.5, 0.6], 2));
    }
}
