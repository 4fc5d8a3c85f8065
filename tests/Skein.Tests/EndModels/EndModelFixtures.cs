using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Tests.EndModels;

/// <summary>Every end model under test, and synthetic data to train them on.</summary>
internal static class EndModelFixtures
{
    public static readonly IReadOnlyDictionary<string, Func<IEndModelTrainer>> Trainers =
        new Dictionary<string, Func<IEndModelTrainer>>
        {
            ["softmax"] = () => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }),
            ["softmax-val"] = () => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1, ValidationFraction = 0.2, Patience = 3 }),
            ["mlp-relu"] = () => new Mlp(new MlpOptions { HiddenSizes = [16], Epochs = 15, BatchSize = 32, Seed = 1 }),
            ["mlp-gelu-2"] = () => new Mlp(new MlpOptions
            {
                HiddenSizes = [16, 8], Activation = Activation.Gelu, Epochs = 15, BatchSize = 32, Dropout = 0.2,
                WeightDecay = 1e-3, ValidationFraction = 0.2, Patience = 3, Seed = 1,
            }),
        };

    public static TheoryData<string> TrainerNames => new(Trainers.Keys);

    public static Blobs Train { get; } = MakeBlobs(600, 5, 3, seed: 1);

    /// <summary>Gaussian blobs: class centres ±<paramref name="spread"/> per dimension, unit noise; soft labels 0.8 on the true class.</summary>
    public static Blobs MakeBlobs(int n, int d, int k, int seed, double spread = 3, int centreSeed = 99)
    {
        var centres = new double[k, d];
        var centreRandom = new Random(centreSeed);
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                centres[c, j] = centreRandom.Next(2) == 0 ? -spread : spread;
            }
        }

        var random = new Random(seed);
        var x = new double[n][];
        var gold = new int[n];
        var soft = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            int c = i % k;
            gold[i] = c;
            x[i] = [.. Enumerable.Range(0, d).Select(j => centres[c, j] + Gaussian(random))];
            for (int cc = 0; cc < k; cc++)
            {
                soft[(i * k) + cc] = cc == c ? 0.8 : 0.2 / (k - 1);
            }
        }

        return new Blobs(DenseMatrix.FromRows(x), ProbabilisticLabels.FromRowMajor(soft, k), gold);
    }

    public static ProbabilisticLabels OneHot(int[] gold, int k)
    {
        var values = new double[gold.Length * k];
        for (int i = 0; i < gold.Length; i++)
        {
            values[(i * k) + gold[i]] = 1;
        }

        return ProbabilisticLabels.FromRowMajor(values, k);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static double Accuracy(int[] predicted, int[] gold) => predicted.Zip(gold).Count(p => p.First == p.Second) / (double)gold.Length;

    internal sealed record Blobs(DenseMatrix X, ProbabilisticLabels Y, int[] Gold);
}
