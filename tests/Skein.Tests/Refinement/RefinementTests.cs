using Skein.Data;
using Skein.Refinement;

namespace Skein.Tests.Refinement;

public sealed class RefinementTests
{
    /// <summary>Three Gaussian clusters in 8 dimensions (one per class), weak labels 0.8 on a class that is wrong for 25% of rows.</summary>
    private static (float[][] Features, int[] Gold, ProbabilisticLabels Weak) Clusters(int rows, int seed, double flipRate = 0.25)
    {
        const int k = 3, d = 8;
        var rng = new Random(seed);
        var centres = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            centres[c, c] = 3;
            centres[c, c + 3] = 2;
        }

        var features = new float[rows][];
        var gold = new int[rows];
        var weak = new double[rows * k];
        for (int i = 0; i < rows; i++)
        {
            int y = i % k;
            gold[i] = y;
            features[i] = new float[d];
            for (int t = 0; t < d; t++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                features[i][t] = (float)(centres[y, t] + (Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
            }

            int label = rng.NextDouble() < flipRate ? (y + 1 + rng.Next(k - 1)) % k : y;
            for (int c = 0; c < k; c++)
            {
                weak[(i * k) + c] = c == label ? 0.8 : 0.1;
            }
        }

        return (features, gold, ProbabilisticLabels.FromRowMajor(weak, k));
    }

    private static double Accuracy(int[] gold, ProbabilisticLabels labels) =>
        (double)labels.ArgMax().Where((p, i) => p == gold[i]).Count() / gold.Length;

    [Fact]
    public void KnnSmoothingFixesMostFlippedLabels()
    {
        var (x, gold, weak) = Clusters(300, 1);
        double before = Accuracy(gold, weak);
        var refined = KnnLabelRefinement.Refine(x, weak, options: new KnnRefinementOptions { Neighbors = 15, SelfWeight = 0.3 });
        double after = Accuracy(gold, refined);
        Assert.InRange(before, 0.7, 0.8);
        Assert.True(after > 0.93, $"{before} → {after}");
    }

    [Fact]
    public void GaussianMixtureFixesMostFlippedLabels()
    {
        var (x, gold, weak) = Clusters(300, 2);
        double before = Accuracy(gold, weak);
        foreach (var covariance in new[] { GaussianCovariance.SharedDiagonal, GaussianCovariance.Diagonal })
        {
            var refined = GaussianMixtureRefinement.Refine(x, weak, options: new GaussianMixtureRefinementOptions { Covariance = covariance });
            double after = Accuracy(gold, refined);
            Assert.True(after > 0.95, $"{covariance}: {before} → {after}");
        }
    }

    [Fact]
    public void KnnLeavesEachRowOutOfItsOwnNeighbourhood()
    {
        // Two identical points with different labels and a far third: with k = 1 and α = 0 each takes the other's label.
        float[][] x = [[1, 0], [1, 0], [0, 1]];
        var labels = ProbabilisticLabels.FromRowMajor([1, 0, 0, 1, 0.5, 0.5], 2);
        var refined = KnnLabelRefinement.Refine(x, labels, options: new KnnRefinementOptions { Neighbors = 1, SelfWeight = 0 });
        Assert.Equal([0, 1, 1, 0], refined.Values[..4].ToArray());
    }

    [Fact]
    public void UncoveredRowsTakeTheirNeighboursLabelsAndAreNoNeighbours()
    {
        // B sits on A but is uncovered (its label is ignored); C is the only other covered row.
        float[][] x = [[1, 0], [1, 0], [0.6f, 0.8f]];
        var labels = ProbabilisticLabels.FromRowMajor([1, 0, 0, 1, 0, 1], 2);
        bool[] covered = [true, false, true];
        var refined = KnnLabelRefinement.Refine(x, labels, covered, new KnnRefinementOptions { Neighbors = 1, SelfWeight = 0 });
        Assert.Equal([0, 1, 1, 0, 1, 0], refined.Values.ToArray());

        // On clusters, uncovered rows get their cluster's class from both refiners.
        var (features, gold, weak) = Clusters(150, 3, flipRate: 0.1);
        var mask = Enumerable.Range(0, 150).Select(i => i % 5 != 0).ToArray();
        var uncovered = Enumerable.Range(0, 150).Where(i => !mask[i]).ToArray();
        var knn = KnnLabelRefinement.Refine(features, weak, mask).ArgMax();
        var gmm = GaussianMixtureRefinement.Refine(features, weak, mask).ArgMax();
        Assert.True(uncovered.Count(i => knn[i] == gold[i]) >= 0.9 * uncovered.Length);
        Assert.True(uncovered.Count(i => gmm[i] == gold[i]) >= 0.9 * uncovered.Length);
    }

    [Fact]
    public void RefinersAreDeterministicAtAnyThreadCount()
    {
        var (x, _, weak) = Clusters(200, 4);
        var knn1 = KnnLabelRefinement.Refine(x, weak, options: new KnnRefinementOptions { MaxDegreeOfParallelism = 1 });
        var knnAll = KnnLabelRefinement.Refine(x, weak, options: new KnnRefinementOptions { MaxDegreeOfParallelism = -1 });
        Assert.True(knn1.BitwiseEquals(knnAll));
        var gmm1 = GaussianMixtureRefinement.Refine(x, weak, options: new GaussianMixtureRefinementOptions { MaxDegreeOfParallelism = 1 });
        var gmmAll = GaussianMixtureRefinement.Refine(x, weak, options: new GaussianMixtureRefinementOptions { MaxDegreeOfParallelism = 3 });
        Assert.True(gmm1.BitwiseEquals(gmmAll));
    }

    [Fact]
    public void BadInputNamesTheRowColumnOrOption()
    {
        var labels = ProbabilisticLabels.FromRowMajor([1, 0, 0, 1], 2);
        var error = Assert.Throws<ArgumentException>(() => KnnLabelRefinement.Refine([[1f, 2f], [1f]], labels));
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => GaussianMixtureRefinement.Refine([[1f, 2f], [1f, float.NaN]], labels));
        Assert.Contains("row 1, column 1", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => KnnLabelRefinement.Refine([[1f], [2f]], labels, options: new KnnRefinementOptions { SelfWeight = 2 }));
        Assert.Contains("SelfWeight", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => GaussianMixtureRefinement.Refine([[1f], [2f]], labels, [true]));
        Assert.Contains("coverage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefinersByNameMatchTheStaticMethods()
    {
        var (x, _, weak) = Clusters(60, 5);
        Assert.Same(weak, LabelRefiners.FromName("none").Refine(x, weak));
        Assert.True(LabelRefiners.FromName("KNN").Refine(x, weak).BitwiseEquals(KnnLabelRefinement.Refine(x, weak)));
        Assert.True(LabelRefiners.FromName("gmm").Refine(x, weak).BitwiseEquals(GaussianMixtureRefinement.Refine(x, weak)));
        var error = Assert.Throws<ArgumentException>(() => LabelRefiners.FromName("pca"));
        Assert.Contains("none, knn, gmm", error.Message, StringComparison.Ordinal);
    }
}
