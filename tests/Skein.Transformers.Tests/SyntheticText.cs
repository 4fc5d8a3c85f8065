using Skein.Data;

namespace Skein.Transformers.Tests;

/// <summary>A tiny seeded text task: each class has its own cue words mixed with shared filler; weak labels flip some rows and leave some uncovered.</summary>
internal sealed record SyntheticText(string[] Texts, int[] Gold, ProbabilisticLabels Weak, bool[] Covered)
{
    public static SyntheticText Make(int rows, int seed, int classes = 2, double flipRate = 0.2, double uncoveredRate = 0.3, double cueRate = 0.35)
    {
        var rng = new Random(seed);
        var texts = new string[rows];
        var gold = new int[rows];
        var weak = new double[rows * classes];
        var covered = new bool[rows];
        for (int i = 0; i < rows; i++)
        {
            int y = rng.Next(classes);
            gold[i] = y;
            int length = 4 + rng.Next(10);
            var words = new string[length];
            for (int w = 0; w < length; w++)
            {
                words[w] = rng.NextDouble() < cueRate ? $"cue{y}x{rng.Next(12)}" : $"filler{rng.Next(60)}";
            }

            texts[i] = string.Join(' ', words);
            covered[i] = rng.NextDouble() >= uncoveredRate;
            int label = rng.NextDouble() < flipRate ? (y + 1 + rng.Next(classes - 1)) % classes : y;
            for (int c = 0; c < classes; c++)
            {
                weak[(i * classes) + c] = covered[i] ? (c == label ? 0.8 : 0.2 / (classes - 1)) : 1.0 / classes;
            }
        }

        return new SyntheticText(texts, gold, ProbabilisticLabels.FromRowMajor(weak, classes), covered);
    }

    public static double Accuracy(IReadOnlyList<int> gold, IReadOnlyList<int> predicted) =>
        (double)gold.Where((g, i) => g == predicted[i]).Count() / gold.Count;
}
