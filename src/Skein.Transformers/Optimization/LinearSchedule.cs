namespace Skein.Transformers;

/// <summary>
/// Linear warm-up then linear decay to zero, in the form of Hugging Face's <c>get_linear_schedule_with_warmup</c>:
/// with W warm-up steps and T total steps, the factor at step s (0-based, the number of updates already taken) is
/// s / max(1, W) while s &lt; W, then max(0, (T − s) / max(1, T − W)). With W &gt; 0 the first update therefore uses 0.
/// </summary>
public static class LinearSchedule
{
    /// <summary>The learning-rate factor in [0, 1] at <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or the warm-up exceeds the total.</exception>
    public static double Factor(int step, int warmupSteps, int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(totalSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(warmupSteps, totalSteps);
        if (step < warmupSteps)
        {
            return (double)step / Math.Max(1, warmupSteps);
        }

        return Math.Max(0, (double)(totalSteps - step) / Math.Max(1, totalSteps - warmupSteps));
    }

    /// <summary>Warm-up steps for a fraction of <paramref name="totalSteps"/>, rounded down (so 0 keeps no warm-up).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1] or the total is negative.</exception>
    public static int WarmupSteps(double warmupFraction, int totalSteps)
    {
        if (!(warmupFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "The warm-up fraction must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(totalSteps);
        return (int)Math.Floor(warmupFraction * totalSteps);
    }
}
