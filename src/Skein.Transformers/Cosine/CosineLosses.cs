namespace Skein.Transformers;

/// <summary>
/// COSINE's self-training losses with their gradients written by hand (with respect to the logits and to the
/// dropped-out pooled vectors). Each loss is a mean over the batch, so the learning rate does not scale with the
/// batch size (the reference repo sums the distillation term).
/// </summary>
internal static class CosineLosses
{
    /// <summary>The confidence weight 1 − H(p)/log C (0 for a uniform row, 1 for a one-hot one).</summary>
    public static double ConfidenceWeight(ReadOnlySpan<double> p)
    {
        double entropy = 0;
        foreach (double v in p)
        {
            if (v > 0)
            {
                entropy -= v * Math.Log(v);
            }
        }

        return 1 - (entropy / Math.Log(p.Length));
    }

    /// <summary>
    /// Soft pseudo-labels q_ij = (p_ij^power / f_j) / Σ_j' (p_ij'^power / f_j'), with f_j = Σ_i p_ij over the batch's
    /// rows (floored at 1e-10): sharpens each row and evens out the classes' shares.
    /// </summary>
    public static double[] Sharpen(ReadOnlySpan<double> p, int rows, int k, double power)
    {
        var frequency = new double[k];
        for (int i = 0; i < rows; i++)
        {
            for (int c = 0; c < k; c++)
            {
                frequency[c] += p[(i * k) + c];
            }
        }

        var q = new double[rows * k];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double v = Math.Pow(p[(i * k) + c], power) / Math.Max(frequency[c], 1e-10);
                q[(i * k) + c] = v;
                sum += v;
            }

            for (int c = 0; c < k; c++)
            {
                q[(i * k) + c] /= sum;
            }
        }

        return q;
    }

    /// <summary>
    /// (1/B) Σ_i w_i KL(q_i ‖ softmax(z_i)); adds w_i (s_i − q_i)/B to <paramref name="gradient"/>.
    /// </summary>
    public static double Distillation(float[] logits, double[] q, double[] weights, int rows, int k, float[] gradient)
    {
        Span<double> s = stackalloc double[k];
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            var z = logits.AsSpan(i * k, k);
            ClassifierNetwork.Softmax(z, s);
            double lse = FineTuneTrainer.LogSumExp(z), kl = 0;
            for (int c = 0; c < k; c++)
            {
                double t = q[(i * k) + c];
                if (t > 0)
                {
                    kl += t * (Math.Log(t) - (z[c] - lse));
                }

                gradient[(i * k) + c] += (float)(weights[i] * (s[c] - t) / rows);
            }

            total += weights[i] * kl;
        }

        return total / rows;
    }

    /// <summary>
    /// The confidence regulariser (λ/B) Σ_i (−Σ_j log s_ij − C log C) = (λ/B) Σ_i C·KL(uniform ‖ s_i) ≥ 0; adds its
    /// gradient λ(C s_ij − 1)/B to <paramref name="gradient"/>.
    /// </summary>
    public static double ConfidenceRegulariser(float[] logits, int rows, int k, double lambda, float[] gradient)
    {
        if (lambda == 0)
        {
            return 0;
        }

        Span<double> s = stackalloc double[k];
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            var z = logits.AsSpan(i * k, k);
            ClassifierNetwork.Softmax(z, s);
            double lse = FineTuneTrainer.LogSumExp(z), penalty = -k * Math.Log(k);
            for (int c = 0; c < k; c++)
            {
                penalty += lse - z[c];
                gradient[(i * k) + c] += (float)(lambda * ((k * s[c]) - 1) / rows);
            }

            total += penalty;
        }

        return lambda * total / rows;
    }

    /// <summary>
    /// The contrastive regulariser over pairs (i, partner[i]): (μ/B) Σ_i ½[a_i d_i² + (1 − a_i) max(0, m − d_i)²], with
    /// a_i = 1 when the pair shares a pseudo-label; adds its gradient with respect to the features into
    /// <paramref name="featureGradient"/>.
    /// </summary>
    public static double Contrastive(float[] features, int rows, int h, int[] partner, bool[] agree, double margin, ContrastiveDistance distance, double mu, float[] featureGradient)
    {
        if (mu == 0)
        {
            return 0;
        }

        double total = 0;
        var direction = new double[h];
        for (int i = 0; i < rows; i++)
        {
            int j = partner[i];
            if (j == i)
            {
                continue;
            }

            var x = features.AsSpan(i * h, h);
            var y = features.AsSpan(j * h, h);

            // d and ∂d/∂x (∂d/∂y is its negative for L2; computed separately for cosine).
            double d, dSquared;
            Span<double> dx = direction;
            double[]? dy = null;
            if (distance == ContrastiveDistance.L2)
            {
                dSquared = 0;
                for (int t = 0; t < h; t++)
                {
                    double diff = x[t] - y[t];
                    dSquared += diff * diff;
                }

                dSquared /= h;
                d = Math.Sqrt(dSquared + 1e-9);
                for (int t = 0; t < h; t++)
                {
                    dx[t] = (x[t] - y[t]) / (h * d);
                }
            }
            else
            {
                double xy = 0, xx = 0, yy = 0;
                for (int t = 0; t < h; t++)
                {
                    xy += x[t] * y[t];
                    xx += x[t] * x[t];
                    yy += y[t] * y[t];
                }

                double nx = Math.Sqrt(xx) + 1e-12, ny = Math.Sqrt(yy) + 1e-12, cos = xy / (nx * ny);
                d = 1 - cos;
                dSquared = d * d;
                dy = new double[h];
                for (int t = 0; t < h; t++)
                {
                    dx[t] = -((y[t] / (nx * ny)) - (cos * x[t] / (nx * nx)));
                    dy[t] = -((x[t] / (nx * ny)) - (cos * y[t] / (ny * ny)));
                }
            }

            // ½a·d² → a·d·∂d; ½(m − d)₊² → −(m − d)₊·∂d.
            double coefficient;
            if (agree[i])
            {
                total += 0.5 * dSquared;
                coefficient = distance == ContrastiveDistance.L2 ? 1 : d;
            }
            else
            {
                double gap = Math.Max(0, margin - d);
                total += 0.5 * gap * gap;
                coefficient = -gap;
            }

            if (coefficient == 0)
            {
                continue;
            }

            double scale = mu * coefficient / rows;
            for (int t = 0; t < h; t++)
            {
                // For L2 with agreement, ½d² has the exact gradient (x − y)/h = d·∂d/∂x up to the 1e-9 smoothing; use it.
                double gx = distance == ContrastiveDistance.L2 && agree[i] ? (x[t] - y[t]) / h : dx[t];
                double gy = dy is null ? -gx : dy[t];
                featureGradient[(i * h) + t] += (float)(scale * gx);
                featureGradient[(j * h) + t] += (float)(scale * gy);
            }
        }

        return mu * total / rows;
    }
}
