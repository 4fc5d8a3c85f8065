using Skein.Data;
using Skein.Features;

namespace Skein.EndModels;

/// <summary>
/// Soft-label (noise-aware) cross-entropy −Σ_c y_c log p_c. Rows are only k wide, so this is plain double-precision
/// scalar code: exact enough for gradient checks, and SIMD would not help at k ≤ a few dozen.
/// </summary>
internal static class Losses
{
    /// <summary>p = softmax(z) in double precision (max-shifted, so no overflow).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<double> probs)
    {
        float max = logits[0];
        for (int c = 1; c < logits.Length; c++)
        {
            max = Math.Max(max, logits[c]);
        }

        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            probs[c] = Math.Exp((double)logits[c] - max);
            sum += probs[c];
        }

        for (int c = 0; c < logits.Length; c++)
        {
            probs[c] /= sum;
        }
    }

    /// <summary>
    /// Weighted mean soft cross-entropy of a batch, Σ_r w_r·CE_r / <paramref name="weightSum"/>, and its gradient
    /// with respect to the logits, coef[r·k + c] = w_r (p_rc − y_rc) / weightSum (valid because every y row sums to 1).
    /// </summary>
    public static double Batch(float[] logits, int count, int k, ProbabilisticLabels labels, int[] rows, double[] weights, double weightSum, float[] coef)
    {
        Span<double> p = stackalloc double[k];
        double total = 0;
        for (int r = 0; r < count; r++)
        {
            var z = logits.AsSpan(r * k, k);
            var y = labels.Row(rows[r]);
            double w = weights[rows[r]];
            total += w * CrossEntropy(z, y, p);
            for (int c = 0; c < k; c++)
            {
                coef[(r * k) + c] = (float)(w * (p[c] - y[c]) / weightSum);
            }
        }

        return total / weightSum;
    }

    /// <summary>
    /// As the labels overload, with explicit per-batch-row targets (count×k) and weights (count): the loss and gradient
    /// of Σ_r w_r·CE(z_r, t_r) / <paramref name="weightSum"/>.
    /// </summary>
    public static double Batch(float[] logits, int count, int k, ReadOnlySpan<double> targets, ReadOnlySpan<double> weights, double weightSum, float[] coef)
    {
        Span<double> p = stackalloc double[k];
        double total = 0;
        for (int r = 0; r < count; r++)
        {
            var y = targets.Slice(r * k, k);
            double w = weights[r];
            total += w * CrossEntropy(logits.AsSpan(r * k, k), y, p);
            for (int c = 0; c < k; c++)
            {
                coef[(r * k) + c] = (float)(w * (p[c] - y[c]) / weightSum);
            }
        }

        return total / weightSum;
    }

    /// <summary>−Σ y_c log softmax(z)_c, computed as Σ y_c (lse − z_c) so a zero-probability class with y_c = 0 costs nothing.</summary>
    public static double CrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<double> y, Span<double> probs)
    {
        Softmax(z, probs);
        float max = z[0];
        for (int c = 1; c < z.Length; c++)
        {
            max = Math.Max(max, z[c]);
        }

        double sumExp = 0;
        for (int c = 0; c < z.Length; c++)
        {
            sumExp += Math.Exp((double)z[c] - max);
        }

        double lse = max + Math.Log(sumExp), loss = 0;
        for (int c = 0; c < z.Length; c++)
        {
            if (y[c] != 0)
            {
                loss += y[c] * (lse - z[c]);
            }
        }

        return loss;
    }

    /// <summary>Unweighted mean soft cross-entropy and accuracy (argmax vs the label's argmax, ties → lowest) of a model on a set.</summary>
    public static (double Loss, double Accuracy) Evaluate(EndModel model, FeatureMatrix features, ProbabilisticLabels labels, ParallelOptions parallel)
    {
        int n = features.RowCount, k = labels.Cardinality;
        var logits = new float[n * k];
        model.Logits(features, FeatureMatrix.AllRows(n), n, logits, parallel);
        Span<double> p = stackalloc double[k];
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            var y = labels.Row(i);
            loss += CrossEntropy(logits.AsSpan(i * k, k), y, p);
            if (ArgMax(p) == ArgMax(y))
            {
                correct++;
            }
        }

        return (loss / n, (double)correct / n);
    }

    /// <summary>Index of the largest entry; ties go to the lowest index.</summary>
    public static int ArgMax(ReadOnlySpan<double> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }

        return best;
    }
}
