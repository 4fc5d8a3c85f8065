using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Skein.Transformers.Kernels;

/// <summary>
/// Reductions with a fixed summation order. TensorPrimitives' Sum and Dot may align to the array's address before
/// vectorising, which would make the bits depend on where the GC placed an array; these always add lane-wise from
/// index 0 and fold the lanes in one fixed order.
/// </summary>
internal static class Reduce
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int i = 0;
        var acc = Vector256<float>.Zero;
        for (; i + 8 <= x.Length; i += 8)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Create(x.Slice(i, 8)), Vector256.Create(y.Slice(i, 8)), acc);
        }

        float sum = Vector256.Sum(acc);
        for (; i < x.Length; i++)
        {
            sum = MathF.FusedMultiplyAdd(x[i], y[i], sum);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(ReadOnlySpan<float> x)
    {
        int i = 0;
        var acc = Vector256<float>.Zero;
        for (; i + 8 <= x.Length; i += 8)
        {
            acc += Vector256.Create(x.Slice(i, 8));
        }

        float sum = Vector256.Sum(acc);
        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    /// <summary>Σ (x − mean)², the LayerNorm variance numerator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumSquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        int i = 0;
        var acc = Vector256<float>.Zero;
        var mu = Vector256.Create(mean);
        for (; i + 8 <= x.Length; i += 8)
        {
            var d = Vector256.Create(x.Slice(i, 8)) - mu;
            acc = Vector256.FusedMultiplyAdd(d, d, acc);
        }

        float sum = Vector256.Sum(acc);
        for (; i < x.Length; i++)
        {
            float d = x[i] - mean;
            sum = MathF.FusedMultiplyAdd(d, d, sum);
        }

        return sum;
    }

    /// <summary>sums[j] += Σ_rows x[r, j] over rows in order (bias gradients).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddColumnSums(float[] x, int rows, int cols, Span<float> sums)
    {
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(sums, x.AsSpan(r * cols, cols), sums);
        }
    }
}

/// <summary>LayerNorm over rows of width <c>cols</c>: y = γ·(x − μ)/√(σ² + ε) + β, biased variance.</summary>
internal static class LayerNorm
{
    /// <summary>Normalises in place into <paramref name="y"/>; keeps x̂ and 1/√(σ²+ε) for the backward pass when given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float[] x, float[] y, int rows, int cols, float[] gamma, float[] beta, float epsilon,
        float[]? xHat, float[]? inverseStd)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            float mean = Reduce.Sum(row) / cols;
            float variance = Reduce.SumSquaredDeviation(row, mean) / cols;
            float rstd = 1f / MathF.Sqrt(variance + epsilon);
            var outRow = y.AsSpan(r * cols, cols);
            var hat = xHat is null ? outRow : xHat.AsSpan(r * cols, cols);
            TensorPrimitives.Subtract(row, mean, hat);
            TensorPrimitives.Multiply(hat, rstd, hat);
            TensorPrimitives.MultiplyAdd(hat, gamma, beta, outRow);
            if (inverseStd is not null)
            {
                inverseStd[r] = rstd;
            }
        }
    }

    /// <summary>
    /// dx = (g − mean(g) − x̂·mean(g·x̂))/√(σ²+ε) with g = dy·γ; dγ += Σ dy·x̂ and dβ += Σ dy when given.
    /// <paramref name="dx"/> may alias <paramref name="dy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(float[] dy, float[] xHat, float[] inverseStd, float[] gamma, int rows, int cols,
        float[] dx, float[]? dGamma, float[]? dBeta)
    {
        Span<float> g = cols <= 2048 ? stackalloc float[cols] : new float[cols];
        for (int r = 0; r < rows; r++)
        {
            var dyRow = dy.AsSpan(r * cols, cols);
            var hat = xHat.AsSpan(r * cols, cols);
            if (dGamma is not null)
            {
                TensorPrimitives.MultiplyAdd(dyRow, hat, dGamma, dGamma);
            }

            if (dBeta is not null)
            {
                TensorPrimitives.Add(dBeta, dyRow, dBeta);
            }

            TensorPrimitives.Multiply(dyRow, gamma, g);
            float meanG = Reduce.Sum(g) / cols;
            float meanGx = Reduce.Dot(g, hat) / cols;
            var dxRow = dx.AsSpan(r * cols, cols);
            // dx = (g − meanG − x̂·meanGx)·rstd
            TensorPrimitives.Subtract(g, meanG, g);
            TensorPrimitives.MultiplyAdd(hat, -meanGx, g, g);
            TensorPrimitives.Multiply(g, inverseStd[r], dxRow);
        }
    }
}

/// <summary>GELU, exact form x·Φ(x) = ½x(1 + erf(x/√2)), as BERT's "gelu" and the MiniLM export's Erf nodes.</summary>
/// <remarks>
/// Callers apply it row by row (a row is one token's FFN activations), so which elements take the vector path and
/// which the scalar tail depends only on the column, never on the batch: a row gives the same bits in any batch.
/// </remarks>
internal static class Gelu
{
    private const float InverseSqrt2 = 0.70710678118654752f;
    private const float InverseSqrt2Pi = 0.39894228040143268f;

    /// <summary>y = gelu(x), element-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        var half = Vector256.Create(0.5f);
        for (; i + 8 <= x.Length; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            (half * v * (Vector256<float>.One + Erf(v * InverseSqrt2))).CopyTo(y.Slice(i, 8));
        }

        for (; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = 0.5f * v * (1f + Erf(v * InverseSqrt2));
        }
    }

    /// <summary>dx = dy · gelu′(x) with gelu′(x) = Φ(x) + x·φ(x); <paramref name="dx"/> may alias <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        var half = Vector256.Create(0.5f);
        for (; i + 8 <= x.Length; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            var cdf = half * (Vector256<float>.One + Erf(v * InverseSqrt2));
            var pdf = InverseSqrt2Pi * Vector256.Exp(-half * v * v);
            (Vector256.Create(dy.Slice(i, 8)) * (cdf + (v * pdf))).CopyTo(dx.Slice(i, 8));
        }

        for (; i < x.Length; i++)
        {
            float v = x[i];
            float cdf = 0.5f * (1f + Erf(v * InverseSqrt2));
            float pdf = InverseSqrt2Pi * MathF.Exp(-0.5f * v * v);
            dx[i] = dy[i] * (cdf + (v * pdf));
        }
    }

    // erf = 1 − erfc with Numerical Recipes' Chebyshev fit of erfc (fractional error < 1.2e-7): t = 1/(1 + z/2),
    // erfc(z) = t·exp(−z² − 1.26551223 + t·P(t)).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ErfcCore(float z, float t)
    {
        float p = 0.17087277f;
        p = MathF.FusedMultiplyAdd(p, t, -0.82215223f);
        p = MathF.FusedMultiplyAdd(p, t, 1.48851587f);
        p = MathF.FusedMultiplyAdd(p, t, -1.13520398f);
        p = MathF.FusedMultiplyAdd(p, t, 0.27886807f);
        p = MathF.FusedMultiplyAdd(p, t, -0.18628806f);
        p = MathF.FusedMultiplyAdd(p, t, 0.09678418f);
        p = MathF.FusedMultiplyAdd(p, t, 0.37409196f);
        p = MathF.FusedMultiplyAdd(p, t, 1.00002368f);
        p = MathF.FusedMultiplyAdd(p, t, -1.26551223f);
        return t * MathF.Exp(p - (z * z));
    }

    /// <summary>erf(x) to about 1e-7 absolute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Erf(float x)
    {
        float z = MathF.Abs(x);
        float erf = 1f - ErfcCore(z, 1f / (1f + (0.5f * z)));
        return x >= 0 ? erf : -erf;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> Erf(Vector256<float> x)
    {
        var z = Vector256.Abs(x);
        var t = Vector256<float>.One / (Vector256<float>.One + (0.5f * z));
        var p = Vector256.Create(0.17087277f);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.82215223f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.48851587f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.13520398f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.27886807f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-0.18628806f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.09678418f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(0.37409196f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(1.00002368f));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(-1.26551223f));
        var erfc = t * Vector256.Exp(p - (z * z));
        var erf = Vector256<float>.One - erfc;
        // Copy the sign of x onto |erf|.
        return Vector256.ConditionalSelect(Vector256.Create(-0f), x, erf);
    }
}

/// <summary>
/// Dropout masks drawn from a counter-based hash of (seed, site, index): the same seed gives the same mask whatever
/// thread draws which element, and the backward pass recomputes the mask instead of storing it.
/// </summary>
internal static class Dropout
{
    /// <summary>Whether element <paramref name="index"/> of dropout site <paramref name="site"/> is kept.</summary>
    public static bool Keep(ulong seed, ulong site, ulong index, float p)
    {
        ulong z = seed + (site * 0x9E3779B97F4A7C15UL) + (index * 0xD1B54A32D192ED03UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1.0f / (1 << 24)) >= p;
    }

    /// <summary>x ← mask(x)/(1 − p) over x[0..]: element i uses index <paramref name="firstIndex"/> + i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Span<float> x, ulong seed, ulong site, ulong firstIndex, float p)
    {
        if (p <= 0f)
        {
            return;
        }

        float scale = 1f / (1f - p);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = Keep(seed, site, firstIndex + (ulong)i, p) ? x[i] * scale : 0f;
        }
    }
}
