namespace Skein.Training;

/// <summary>
/// Ramps used by the training methods, as functions of training progress t ∈ [0, 1] (step / total steps, or epoch /
/// epochs). Each returns a factor in [0, 1] that multiplies a method's maximum (α_max, consistency weight, forget rate).
/// </summary>
public static class Schedules
{
    /// <summary>
    /// Linear warm-up: t / <paramref name="warmupFraction"/> until the warm-up ends, then 1; a warm-up of 0 is 1 from the
    /// start. This is the corrected weak-to-strong ramp (openai/weak-to-strong PR #33), not the original jump.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1] or t is not finite.</exception>
    public static double LinearWarmup(double progress, double warmupFraction)
    {
        Check(progress);
        if (!(warmupFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "The warm-up fraction must be in [0, 1].");
        }

        return progress >= warmupFraction ? 1 : Math.Clamp(progress / warmupFraction, 0, 1);
    }

    /// <summary>
    /// The sigmoid-shaped ramp-up of mean teacher (Laine &amp; Aila; WRENCH's mean teacher): exp(−5(1 − t/T)²) for
    /// t &lt; T = <paramref name="rampFraction"/>, then 1; a ramp of 0 is 1 from the start.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1] or t is not finite.</exception>
    public static double SigmoidRampUp(double progress, double rampFraction)
    {
        Check(progress);
        if (!(rampFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rampFraction), rampFraction, "The ramp fraction must be in [0, 1].");
        }

        if (progress >= rampFraction)
        {
            return 1;
        }

        double phase = 1 - Math.Clamp(progress / rampFraction, 0, 1);
        return Math.Exp(-5 * phase * phase);
    }

    private static void Check(double progress)
    {
        if (!double.IsFinite(progress))
        {
            throw new ArgumentOutOfRangeException(nameof(progress), progress, "Training progress must be a finite number.");
        }
    }
}
