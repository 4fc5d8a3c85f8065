namespace Skein.Transformers.Tests;

/// <summary>Central finite differences for float32 kernels: the loss is accumulated in double.</summary>
internal static class GradientCheck
{
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale)];
    }

    public static double WeightedSum(float[] values, float[] weights)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += (double)values[i] * weights[i];
        }

        return sum;
    }

    /// <summary>
    /// Checks <paramref name="analytic"/>[i] against (loss(x+h) − loss(x−h))/2h for the given indices of
    /// <paramref name="x"/> (restored after); returns the worst error relative to max(1, |gradient|).
    /// </summary>
    public static void Check(string what, float[] x, float[] analytic, Func<double> loss, IEnumerable<int>? indices = null,
        float h = 1e-2f, double tolerance = 2e-3)
    {
        foreach (int i in indices ?? Enumerable.Range(0, x.Length))
        {
            float saved = x[i];
            x[i] = saved + h;
            double plus = loss();
            x[i] = saved - h;
            double minus = loss();
            x[i] = saved;
            double numeric = (plus - minus) / (2.0 * h);
            double error = Math.Abs(numeric - analytic[i]);
            Assert.True(error <= tolerance * Math.Max(1.0, Math.Abs(numeric)),
                $"{what}[{i}]: analytic {analytic[i]:G6}, finite difference {numeric:G6}");
        }
    }
}
