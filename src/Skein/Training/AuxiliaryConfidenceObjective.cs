using Skein.EndModels;

namespace Skein.Training;

/// <summary>How <see cref="AuxiliaryConfidenceObjective"/> hardens the student's own predictions into one-hot targets.</summary>
public enum AuxiliaryHardening
{
    /// <summary>
    /// Harden so that the batch's hard labels reproduce the weak labels' class shares in the batch. With two classes
    /// this is exactly openai/weak-to-strong's rule: t = the q-quantile of p[:,0] (q = batch mean of the weak labels'
    /// class-1 column, numpy's linear interpolation), class 0 where p[:,0] ≥ t, else class 1. With more classes (our
    /// extension; the repo is binary-only) each class c gets a quota round(n·m_c) of the n rows (m_c = batch mean of
    /// the weak labels' column c, largest-remainder rounding), and the (row, class) pairs are taken in order of falling
    /// p[r,c], giving each row the first class whose quota is not yet full.
    /// </summary>
    MatchWeakMarginals,

    /// <summary>Harden to the student's argmax (ties to the lowest class), whatever the weak labels' balance.</summary>
    Argmax,
}

/// <summary>Options of <see cref="AuxiliaryConfidenceObjective"/>.</summary>
public sealed record AuxiliaryConfidenceOptions
{
    /// <summary>
    /// α_max, the weight the hardened self-labels reach after the warm-up, in [0, 1]. Default 0.5 (the repo's
    /// aux_coef; the paper reports 0.75 for its largest students and 0.5 otherwise).
    /// </summary>
    public double AlphaMax { get; init; } = 0.5;

    /// <summary>
    /// Share of training (step / total steps) over which α ramps linearly from 0 to α_max, in [0, 1]; 0 = α_max from
    /// the first step. Default 0.1 (the repo's warmup_frac; the paper describes roughly the first 20%).
    /// </summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>How predictions are hardened. Default <see cref="AuxiliaryHardening.MatchWeakMarginals"/>.</summary>
    public AuxiliaryHardening Hardening { get; init; } = AuxiliaryHardening.MatchWeakMarginals;
}

/// <summary>
/// The auxiliary confidence loss of Burns et al. (2023), "Weak-to-strong generalization", in the form of
/// openai/weak-to-strong's <c>logconf_loss_fn</c> with the corrected warm-up (PR #33): per minibatch the student's
/// current predictions are hardened (see <see cref="AuxiliaryHardening"/>) and each target becomes
/// (1 − α)·weak + α·hardened with α = α_max · <see cref="Schedules.LinearWarmup"/>(step / total steps, warm-up).
/// Cross-entropy is linear in the target, so this is exactly (1 − α)·CE(p, weak) + α·CE(p, hardened), with the
/// hardened labels held constant (stop-gradient). Lets a strong student trust its own confident predictions instead
/// of imitating its weak supervisor's mistakes.
/// </summary>
/// <remarks>
/// The hardening is computed over the minibatch, so the batch size matters: the repo hardens over a logical batch of
/// 32, so train weak-to-strong students with <see cref="MlpOptions.BatchSize"/> = 32 to match it. The weak labels are
/// the targets the batch arrives with. Row weights are left as they are. The instance keeps counts for its report
/// (<see cref="HardenedRows"/>, <see cref="OverruledRows"/>), so use one instance per training run.
/// </remarks>
public sealed class AuxiliaryConfidenceObjective : ISoftTargetObjective
{
    /// <summary>An objective with the default options (α_max 0.5, warm-up 0.1, weak-marginal hardening).</summary>
    public AuxiliaryConfidenceObjective()
        : this(new AuxiliaryConfidenceOptions())
    {
    }

    /// <summary>An objective with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public AuxiliaryConfidenceObjective(AuxiliaryConfidenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new OptionChecks(nameof(AuxiliaryConfidenceOptions));
        check.Probability(options.AlphaMax);
        check.Probability(options.WarmupFraction);
        check.Defined(options.Hardening);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public AuxiliaryConfidenceOptions Options { get; }

    /// <summary>Rows whose target received a hardened part (α &gt; 0) so far.</summary>
    public long HardenedRows { get; private set; }

    /// <summary>Of <see cref="HardenedRows"/>, those hardened to a class other than the weak label's argmax: where the student overruled its supervisor.</summary>
    public long OverruledRows { get; private set; }

    /// <summary>α at a training progress t ∈ [0, 1]: α_max · LinearWarmup(t, warm-up).</summary>
    public double Coefficient(double progress) => Options.AlphaMax * Schedules.LinearWarmup(progress, Options.WarmupFraction);

    /// <inheritdoc/>
    public void Adjust(SoftTargetBatch batch)
    {
        double alpha = Coefficient(batch.Progress);
        if (alpha == 0 || batch.Count == 0)
        {
            return;
        }

        int k = batch.Cardinality;
        var hardened = Harden(batch.Probabilities, batch.Targets, k, Options.Hardening);
        var targets = batch.Targets;
        for (int r = 0; r < hardened.Length; r++)
        {
            var row = targets.Slice(r * k, k);
            OverruledRows += hardened[r] != Losses.ArgMax(row) ? 1 : 0;
            for (int c = 0; c < k; c++)
            {
                row[c] = ((1 - alpha) * row[c]) + (c == hardened[r] ? alpha : 0);
            }
        }

        HardenedRows += hardened.Length;
    }

    /// <summary>
    /// The hardened class of each row of a batch.
    /// </summary>
    /// <param name="probabilities">The student's probabilities, n×k row-major.</param>
    /// <param name="weak">The weak (soft) labels, n×k row-major.</param>
    /// <param name="cardinality">k, at least 2.</param>
    /// <param name="hardening">The rule.</param>
    /// <exception cref="ArgumentException">The spans do not hold the same whole number of rows of k.</exception>
    public static int[] Harden(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> weak, int cardinality, AuxiliaryHardening hardening)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cardinality, 2);
        if (probabilities.Length != weak.Length || probabilities.Length % cardinality != 0)
        {
            throw new ArgumentException(
                $"{probabilities.Length} probabilities and {weak.Length} weak-label values do not form the same rows of {cardinality} classes.",
                nameof(weak));
        }

        int n = probabilities.Length / cardinality, k = cardinality;
        var result = new int[n];
        if (hardening == AuxiliaryHardening.Argmax)
        {
            for (int r = 0; r < n; r++)
            {
                result[r] = Losses.ArgMax(probabilities.Slice(r * k, k));
            }

            return result;
        }

        if (k == 2)
        {
            // The repo's rule, step for step: q = mean weak share of class 1, t = q-quantile of p0, class 0 iff p0 ≥ t.
            double q = 0;
            var p0 = new double[n];
            for (int r = 0; r < n; r++)
            {
                q += weak[(r * 2) + 1];
                p0[r] = probabilities[r * 2];
            }

            double threshold = Quantile(p0, q / n);
            for (int r = 0; r < n; r++)
            {
                result[r] = probabilities[r * 2] >= threshold ? 0 : 1;
            }

            return result;
        }

        return MatchMarginals(probabilities, weak, n, k);
    }

    /// <summary>
    /// numpy's default quantile (method "linear"): with the values sorted, h = (n − 1)·q, and the result interpolates
    /// between the values at ⌊h⌋ and ⌊h⌋ + 1.
    /// </summary>
    /// <exception cref="ArgumentException">No values, or q outside [0, 1].</exception>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("The quantile of no values is undefined.", nameof(values));
        }

        // Float round-off in a mean of shares can land a hair outside [0, 1].
        if (!(q >= -1e-12 && q <= 1 + 1e-12))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile level must be in [0, 1].");
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        double h = (sorted.Length - 1) * Math.Clamp(q, 0, 1);
        int lo = (int)Math.Floor(h);
        if (lo >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        double fraction = h - lo;
        return sorted[lo] + (fraction * (sorted[lo + 1] - sorted[lo]));
    }

    private static int[] MatchMarginals(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> weak, int n, int k)
    {
        // Quotas: n·m_c rounded by largest remainder (ties to the lower class), so they sum to n exactly.
        var share = new double[k];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < k; c++)
            {
                share[c] += weak[(r * k) + c];
            }
        }

        var quota = new int[k];
        var remainder = new double[k];
        int assigned = 0;
        for (int c = 0; c < k; c++)
        {
            double exact = share[c];
            quota[c] = (int)Math.Floor(exact);
            remainder[c] = exact - quota[c];
            assigned += quota[c];
        }

        foreach (int c in Enumerable.Range(0, k).OrderByDescending(c => remainder[c]).ThenBy(c => c).Take(Math.Max(0, n - assigned)))
        {
            quota[c]++;
        }

        // Greedy: the most confident (row, class) pairs first; fixed tie order (row, then class) keeps it deterministic.
        var pairs = new (double P, int Row, int Class)[n * k];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < k; c++)
            {
                pairs[(r * k) + c] = (probabilities[(r * k) + c], r, c);
            }
        }

        Array.Sort(pairs, static (a, b) => b.P.CompareTo(a.P) is var byP and not 0 ? byP
            : a.Row.CompareTo(b.Row) is var byRow and not 0 ? byRow : a.Class.CompareTo(b.Class));
        var result = new int[n];
        Array.Fill(result, -1);
        int left = n;
        foreach (var (_, row, cls) in pairs)
        {
            if (result[row] < 0 && quota[cls] > 0)
            {
                result[row] = cls;
                quota[cls]--;
                if (--left == 0)
                {
                    break;
                }
            }
        }

        return result;
    }
}
