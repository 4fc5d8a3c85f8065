using Skein.Data;
using Skein.EndModels;
using Skein.Features;

namespace Skein.Tests.EndModels;

/// <summary>
/// Analytic gradients (float32, library code) against central finite differences of an independent float64 reference
/// loss written here from the definition.
/// </summary>
public sealed class GradientTests
{
    private const int N = 7, D = 4, K = 3;

    private static (double[][] X, double[] Y, double[] W) Problem(int seed)
    {
        var random = new Random(seed);
        var x = new double[N][];
        for (int i = 0; i < N; i++)
        {
            // Some exact zeros so the sparse path has something to skip.
            x[i] = [.. Enumerable.Range(0, D).Select(_ => random.Next(4) == 0 ? 0 : (random.NextDouble() * 2) - 1)];
        }

        var y = new double[N * K];
        for (int i = 0; i < N; i++)
        {
            double a = random.NextDouble(), b = random.NextDouble(), c = random.NextDouble(), s = a + b + c;
            (y[i * K], y[(i * K) + 1], y[(i * K) + 2]) = (a / s, b / s, c / s);
        }

        double[] w = [.. Enumerable.Range(0, N).Select(_ => 0.2 + random.NextDouble())];
        return (x, y, w);
    }

    private static double SoftCe(double[] z, ReadOnlySpan<double> y)
    {
        double max = z.Max(), lse = max + Math.Log(z.Sum(v => Math.Exp(v - max))), loss = 0;
        for (int c = 0; c < z.Length; c++)
        {
            loss -= y[c] * (z[c] - lse);
        }

        return loss;
    }

    private static void AssertClose(double[] fd, float[] analytic)
    {
        for (int p = 0; p < fd.Length; p++)
        {
            Assert.True(Math.Abs(fd[p] - analytic[p]) <= 2e-5 + (1e-3 * Math.Abs(fd[p])),
                $"parameter {p}: finite difference {fd[p]}, analytic {analytic[p]}");
        }
    }

    private static double[] FiniteDifferences(double[] theta, Func<double[], double> loss)
    {
        const double h = 1e-6;
        var fd = new double[theta.Length];
        for (int p = 0; p < theta.Length; p++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[p] += h;
            minus[p] -= h;
            fd[p] = (loss(plus) - loss(minus)) / (2 * h);
        }

        return fd;
    }

    [Theory]
    [InlineData(false, 0.0, false)]
    [InlineData(false, 0.3, true)]
    [InlineData(true, 0.3, true)]
    public void SoftmaxRegression_gradient_matches_finite_differences(bool sparse, double l2, bool weighted)
    {
        var (x, y, w) = Problem(3);
        FeatureMatrix features = sparse ? SparseMatrix.FromDense(DenseMatrix.FromRows(x)) : DenseMatrix.FromRows(x);
        var labels = ProbabilisticLabels.FromRowMajor(y, K);
        var weights = weighted ? w : [.. Enumerable.Repeat(1.0, N)];
        var random = new Random(5);
        var theta = Enumerable.Range(0, (K * D) + K).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        double Reference(double[] t)
        {
            double loss = 0;
            for (int i = 0; i < N; i++)
            {
                var z = new double[K];
                for (int c = 0; c < K; c++)
                {
                    z[c] = t[(K * D) + c] + Enumerable.Range(0, D).Sum(j => t[(c * D) + j] * (float)x[i][j]);
                }

                loss += weights[i] * SoftCe(z, y.AsSpan(i * K, K));
            }

            return (loss / weights.Sum()) + (0.5 * l2 * t.Take(K * D).Sum(v => v * v));
        }

        var grad = new float[theta.Length];
        double total = SoftmaxRegression.Objective.Create(features, labels, weighted ? w : null, l2).Evaluate(theta, grad, out _);
        var t64 = theta.Select(v => (double)v).ToArray();

        Assert.Equal(Reference(t64), total, 5);
        AssertClose(FiniteDifferences(t64, Reference), grad);
    }

    [Theory]
    [InlineData(Activation.Gelu, new[] { 5 }, 0.0, false, false)]
    [InlineData(Activation.Gelu, new[] { 5, 4 }, 0.2, true, false)]
    [InlineData(Activation.Relu, new[] { 6, 3 }, 0.2, true, false)]
    [InlineData(Activation.Gelu, new[] { 5, 4 }, 0.2, true, true)]
    public void Mlp_gradient_matches_finite_differences(Activation activation, int[] hidden, double weightDecay, bool weighted, bool sparse)
    {
        var (x, y, w) = Problem(4);
        FeatureMatrix features = sparse ? SparseMatrix.FromDense(DenseMatrix.FromRows(x)) : DenseMatrix.FromRows(x);
        var labels = ProbabilisticLabels.FromRowMajor(y, K);
        var weights = weighted ? w : [.. Enumerable.Repeat(1.0, N)];
        int[] sizes = [D, .. hidden, K];
        var net = Mlp.Network.Initialise(sizes, activation, new Random(8));
        var random = new Random(9);
        foreach (var b in net.Biases)
        {
            for (int i = 0; i < b.Length; i++)
            {
                b[i] = (float)((random.NextDouble() - 0.5) * 0.5);
            }
        }

        // Flat view: all weights, then all biases, layer by layer.
        var arrays = net.Weights.Concat(net.Biases).ToArray();
        var theta = arrays.SelectMany(a => a.Select(v => (double)v)).ToArray();

        double Reference(double[] t)
        {
            int offset = 0;
            var ws = new double[sizes.Length - 1][];
            var bs = new double[sizes.Length - 1][];
            for (int l = 0; l < ws.Length; l++)
            {
                ws[l] = t.AsSpan(offset, sizes[l] * sizes[l + 1]).ToArray();
                offset += ws[l].Length;
            }

            for (int l = 0; l < bs.Length; l++)
            {
                bs[l] = t.AsSpan(offset, sizes[l + 1]).ToArray();
                offset += bs[l].Length;
            }

            double loss = 0;
            for (int i = 0; i < N; i++)
            {
                var a = x[i].Select(v => (double)(float)v).ToArray();
                for (int l = 0; l < ws.Length; l++)
                {
                    var z = new double[sizes[l + 1]];
                    for (int o = 0; o < z.Length; o++)
                    {
                        z[o] = bs[l][o] + Enumerable.Range(0, sizes[l]).Sum(j => ws[l][(o * sizes[l]) + j] * a[j]);
                    }

                    a = l == ws.Length - 1 ? z : [.. z.Select(v => activation == Activation.Relu ? Math.Max(0, v)
                        : 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v)))))];
                }

                loss += weights[i] * SoftCe(a, y.AsSpan(i * K, K));
            }

            return (loss / weights.Sum()) + (0.5 * weightDecay * ws.Sum(m => m.Sum(v => v * v)));
        }

        var gradW = net.Weights.Select(a => new float[a.Length]).ToArray();
        var gradB = net.Biases.Select(a => new float[a.Length]).ToArray();
        var rows = FeatureMatrix.AllRows(N);
        net.LossAndGradient(features, rows, N, labels, weights, weights.Sum(), null, weightDecay, gradW, gradB, new ParallelOptions(), out double total);

        Assert.Equal(Reference(theta), total, 5);
        AssertClose(FiniteDifferences(theta, Reference), [.. gradW.Concat(gradB).SelectMany(a => a)]);
    }

    [Fact]
    public void Soft_label_loss_on_one_hot_labels_is_hard_label_cross_entropy()
    {
        var (x, _, _) = Problem(6);
        int[] gold = [0, 2, 1, 1, 0, 2, 2];
        var features = DenseMatrix.FromRows(x);
        var random = new Random(2);
        var theta = Enumerable.Range(0, (K * D) + K).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();

        double soft = SoftmaxRegression.Objective.Create(features, EndModelFixtures.OneHot(gold, K), null, 0)
            .Evaluate(theta, new float[theta.Length], out _);

        var model = new SoftmaxRegressionModel(D, K, 0, [], theta);
        var p = model.PredictProba(features);
        double hard = -Enumerable.Range(0, N).Average(i => Math.Log(p[i, gold[i]]));
        Assert.Equal(hard, soft, 10);
    }
}
