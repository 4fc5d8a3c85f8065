using Skein.Data;
using Skein.Tests.EndModels;

namespace Skein.Tests.Training;

/// <summary>Gaussian blobs with a known share of labels flipped to another class (symmetric noise).</summary>
internal static class NoisyBlobs
{
    /// <summary>Flips <paramref name="rate"/> of the labels (exactly round(rate·n) rows, seeded) to a uniformly chosen other class.</summary>
    public static (int[] Noisy, bool[] Flipped) Flip(int[] gold, int k, double rate, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, gold.Length).OrderBy(_ => random.Next()).Take((int)Math.Round(rate * gold.Length)).ToHashSet();
        var noisy = (int[])gold.Clone();
        var flipped = new bool[gold.Length];
        foreach (int i in rows)
        {
            noisy[i] = (gold[i] + 1 + random.Next(k - 1)) % k;
            flipped[i] = true;
        }

        return (noisy, flipped);
    }

    public static ProbabilisticLabels OneHot(int[] labels, int k) => EndModelFixtures.OneHot(labels, k);
}
