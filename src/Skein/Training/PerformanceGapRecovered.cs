namespace Skein.Training;

/// <summary>Options of <see cref="PerformanceGapRecovered.Compute"/>.</summary>
public sealed record PerformanceGapOptions
{
    /// <summary>The score is a loss or error (lower is better) rather than accuracy, AUC, F1…. Default false.</summary>
    public bool LowerIsBetter { get; init; }

    /// <summary>Report max(0, PGR), as some papers do; a student worse than its supervisor then reads 0. Default false.</summary>
    public bool ClipAtZero { get; init; }

    /// <summary>
    /// The smallest ceiling-over-weak advantage, in score units, for which PGR is defined; finite, &gt; 0. Default 1e-9
    /// (any real gap counts; only ties and reversals are refused).
    /// </summary>
    public double MinimumGap { get; init; } = 1e-9;
}

/// <summary>
/// Performance gap recovered (Burns et al., 2023): PGR = (student − weak) / (ceiling − weak), the share of the gap
/// between a weak supervisor and a strong model trained on gold labels that a strong student trained on the weak
/// labels closes. 0 = the student only imitates its supervisor; 1 = it matches the gold-trained ceiling; above 1 or
/// below 0 are possible and are kept unless clipping is asked for.
/// </summary>
public static class PerformanceGapRecovered
{
    /// <summary>
    /// PGR of a student, or null where it is undefined: when the ceiling does not beat the weak model by at least
    /// <see cref="PerformanceGapOptions.MinimumGap"/> there is no gap to recover, and dividing by it would only
    /// amplify noise (report such cases separately).
    /// </summary>
    /// <param name="weak">The weak supervisor's score.</param>
    /// <param name="student">The weak-to-strong student's score.</param>
    /// <param name="ceiling">The strong model's score when trained on gold labels.</param>
    /// <param name="options">Direction, clipping and the smallest gap; null = defaults (higher is better, no clipping).</param>
    /// <exception cref="ArgumentOutOfRangeException">A score is NaN or infinite.</exception>
    /// <exception cref="ArgumentException">MinimumGap is not a finite number &gt; 0.</exception>
    public static double? Compute(double weak, double student, double ceiling, PerformanceGapOptions? options = null)
    {
        options ??= new PerformanceGapOptions();
        RequireFinite(weak, nameof(weak));
        RequireFinite(student, nameof(student));
        RequireFinite(ceiling, nameof(ceiling));
        if (!(double.IsFinite(options.MinimumGap) && options.MinimumGap > 0))
        {
            throw new ArgumentException($"PerformanceGapOptions.MinimumGap = {options.MinimumGap}; it must be a finite number > 0.", nameof(options));
        }

        // Differences taken in the better direction (not multiplied by −1), so a tie reads +0, never −0.
        double gap = options.LowerIsBetter ? weak - ceiling : ceiling - weak;
        if (gap < options.MinimumGap)
        {
            return null;
        }

        double pgr = (options.LowerIsBetter ? weak - student : student - weak) / gap;
        return options.ClipAtZero ? Math.Max(0, pgr) : pgr;
    }

    private static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Scores must be finite numbers.");
        }
    }
}
