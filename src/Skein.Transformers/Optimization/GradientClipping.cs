namespace Skein.Transformers;

/// <summary>Global gradient-norm clipping (PyTorch's <c>clip_grad_norm_</c> with the 2-norm).</summary>
public static class GradientClipping
{
    /// <summary>
    /// The 2-norm of all gradients together, summed in float64 in parameter order (so it is deterministic); when it
    /// exceeds <paramref name="maxNorm"/>, every gradient is scaled by maxNorm / (norm + 1e-6).
    /// </summary>
    /// <returns>The norm before clipping (NaN or ∞ are returned as they are, and nothing is scaled).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not a finite number &gt; 0.</exception>
    public static double ClipGlobalNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(double.IsFinite(maxNorm) && maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The largest gradient norm must be a finite number > 0.");
        }

        double norm = GlobalNorm(parameters);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            float scale = (float)(maxNorm / (norm + 1e-6));
            foreach (var parameter in parameters)
            {
                var gradient = parameter.Gradient;
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] *= scale;
                }
            }
        }

        return norm;
    }

    /// <summary>The 2-norm of all gradients together, summed in float64 in parameter order.</summary>
    public static double GlobalNorm(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sum = 0;
        foreach (var parameter in parameters)
        {
            foreach (float g in parameter.Gradient)
            {
                sum += (double)g * g;
            }
        }

        return Math.Sqrt(sum);
    }
}
