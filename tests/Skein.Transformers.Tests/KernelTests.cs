using Skein.Transformers.Kernels;

namespace Skein.Transformers.Tests;

public sealed class KernelTests
{
    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void Matrix_product_matches_the_naive_sum_for_every_layout(bool aT, bool bT, bool accumulate)
    {
        const int M = 7, K = 37, N = 21;
        var a = GradientCheck.Random(M * K, 1);
        var b = GradientCheck.Random(K * N, 2);
        var c = GradientCheck.Random(M * N, 3);
        var expected = new double[M * N];
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < N; j++)
            {
                double sum = accumulate ? c[(i * N) + j] : 0;
                for (int k = 0; k < K; k++)
                {
                    sum += (double)(aT ? a[(k * M) + i] : a[(i * K) + k]) * (bT ? b[(j * K) + k] : b[(k * N) + j]);
                }

                expected[(i * N) + j] = sum;
            }
        }

        MatrixProduct.Multiply(a, aT, b, bT, c, M, K, N, threads: 2, accumulate);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.Equal(expected[i], c[i], 1e-4);
        }
    }

    [Fact]
    public void Matrix_product_bits_do_not_depend_on_threads_or_row_count()
    {
        const int M = 150, K = 96, N = 40;
        var a = GradientCheck.Random(M * K, 4);
        var b = GradientCheck.Random(K * N, 5);
        var one = new float[M * N];
        var two = new float[M * N];
        MatrixProduct.Multiply(a, false, b, false, one, M, K, N, threads: 1);
        MatrixProduct.Multiply(a, false, b, false, two, M, K, N, threads: 2);
        Assert.Equal(one, two);
        // Row 149 alone (a 1-row tail instead of a 4-row tile) gives the same bits.
        var last = new float[N];
        MatrixProduct.Multiply(a[(149 * K)..], false, b, false, last, 1, K, N, threads: 1);
        Assert.Equal(one[(149 * N)..], last);
        // The Vector256 kernels (machines without AVX-512) give the same bits as the Vector512 ones.
        var narrow = new float[M * N];
        MatrixProduct.Multiply(a, false, b, false, narrow, M, K, N, threads: 2, allowVector512: false);
        Assert.Equal(one, narrow);
    }

    [Fact]
    public void Layer_norm_gradients_match_finite_differences()
    {
        const int Rows = 3, Cols = 8;
        var x = GradientCheck.Random(Rows * Cols, 6, 2f);
        var gamma = GradientCheck.Random(Cols, 7);
        var beta = GradientCheck.Random(Cols, 8);
        var w = GradientCheck.Random(Rows * Cols, 9);
        double Loss()
        {
            var y = new float[Rows * Cols];
            LayerNorm.Forward(x, y, Rows, Cols, gamma, beta, 1e-12f, null, null);
            return GradientCheck.WeightedSum(y, w);
        }

        var hat = new float[Rows * Cols];
        var rstd = new float[Rows];
        LayerNorm.Forward(x, new float[Rows * Cols], Rows, Cols, gamma, beta, 1e-12f, hat, rstd);
        var dx = new float[Rows * Cols];
        var dGamma = new float[Cols];
        var dBeta = new float[Cols];
        LayerNorm.Backward(w, hat, rstd, gamma, Rows, Cols, dx, dGamma, dBeta);
        GradientCheck.Check("dx", x, dx, Loss);
        GradientCheck.Check("dγ", gamma, dGamma, Loss);
        GradientCheck.Check("dβ", beta, dBeta, Loss);
    }

    [Fact]
    public void Gelu_uses_exact_erf_and_its_gradient_matches_finite_differences()
    {
        // erf(0.5), erf(1), erf(2) to 10 digits.
        Assert.Equal(0.5204998778, Gelu.Erf(0.5f), 3e-7);
        Assert.Equal(0.8427007929, Gelu.Erf(1f), 3e-7);
        Assert.Equal(-0.9953222650, Gelu.Erf(-2f), 3e-7);
        var x = GradientCheck.Random(21, 10, 4f);
        var w = GradientCheck.Random(21, 11);
        var y = new float[21];
        Gelu.Forward(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            // gelu(x) = x·Φ(x): compare the vector and scalar paths with a double reference.
            double reference = 0.5 * x[i] * (1 + Erf(x[i] / Math.Sqrt(2)));
            Assert.Equal(reference, y[i], 1e-6);
        }

        var dx = new float[21];
        Gelu.Backward(x, w, dx);
        GradientCheck.Check("dx", x, dx, () =>
        {
            var o = new float[21];
            Gelu.Forward(x, o);
            return GradientCheck.WeightedSum(o, w);
        }, h: 1e-2f, tolerance: 2e-3);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.3f)]
    public void Attention_gradients_match_finite_differences_with_padding_and_dropout(float dropout)
    {
        const int Heads = 2, HeadSize = 4, Hidden = Heads * HeadSize;
        // Two rows of 5 and 3 real tokens (the second padded away before packing).
        var seg = new Segments([0, 5], [5, 3], new int[8], [0, 1, 2, 3, 4, 0, 1, 2], Heads);
        var q = GradientCheck.Random(8 * Hidden, 12);
        var k = GradientCheck.Random(8 * Hidden, 13);
        var v = GradientCheck.Random(8 * Hidden, 14);
        var w = GradientCheck.Random(8 * Hidden, 15);
        double Loss()
        {
            var ctx = new float[8 * Hidden];
            Attention.Forward(q, k, v, ctx, new float[seg.ProbabilityOffset[^1]], seg, Heads, HeadSize, dropout, 77, 3, 1);
            return GradientCheck.WeightedSum(ctx, w);
        }

        var probabilities = new float[seg.ProbabilityOffset[^1]];
        Attention.Forward(q, k, v, new float[8 * Hidden], probabilities, seg, Heads, HeadSize, dropout, 77, 3, 1);
        var dq = new float[8 * Hidden];
        var dk = new float[8 * Hidden];
        var dv = new float[8 * Hidden];
        Attention.Backward(q, k, v, probabilities, w, dq, dk, dv, seg, Heads, HeadSize, dropout, 77, 3, 1);
        GradientCheck.Check("dQ", q, dq, Loss);
        GradientCheck.Check("dK", k, dk, Loss);
        GradientCheck.Check("dV", v, dv, Loss);
    }

    private static double Erf(double x)
    {
        // Abramowitz–Stegun 7.1.26 is too coarse for a reference; a long Taylor series is exact enough for |x| < 3.
        double sum = 0, term = x;
        for (int n = 0; n < 60; n++)
        {
            sum += term / ((2 * n) + 1);
            term *= -x * x / (n + 1);
        }

        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
