namespace Skein.Transformers;

/// <summary>Global gradient-norm clipping (PyTorch's <c>clip_grad_norm_</c> with the 2-norm).</summary>
public static class GradientClipping
{
    /// <summary>
    /// The 2-norm of all gradients together (see <see cref="GlobalNorm"/>; deterministic); when it
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
            Parallel.ForEach(parameters, parameter => System.Numerics.Tensors.TensorPrimitives.Multiply(parameter.Gradient, scale, parameter.Gradient));
        }

        return norm;
    }

    /// <summary>
    /// The 2-norm of all gradients together: each parameter's sum of squares in float64 (parameters in parallel), then
    /// those sums added in parameter order, so the result does not depend on the number of threads.
    /// </summary>
    public static double GlobalNorm(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var sums = new double[parameters.Count];
        Parallel.For(0, parameters.Count, index =>
        {
            double sum = 0;
            foreach (float g in parameters[index].Gradient)
            {
                sum += (double)g * g;
            }

            sums[index] = sum;
        });
        double total = 0;
        foreach (double sum in sums)
        {
            total += sum;
        }

        return Math.Sqrt(total);
    }
}
