using Skein.Data;

namespace Skein.Analysis;

/// <summary>
/// Post-hoc calibration by one temperature: q = softmax(ln p / T). A single T &gt; 0 is monotone in every row, so the
/// argmax (and the ranking of classes in each row) never changes; T &gt; 1 softens over-confident probabilities,
/// T &lt; 1 sharpens timid ones. Fitted by minimising the log-loss on rows with gold (Guo et al., 2017).
/// </summary>
/// <remarks>
/// The negative log-likelihood is convex in β = 1/T (its second derivative is the variance of ln p under q), so its
/// minimum is the single root of the first derivative, found by bisection on ln β in [ln 1e-3, ln 1e3].
/// </remarks>
public sealed record TemperatureScaling
{
    private const double MinInverseTemperature = 1e-3;
    private const double MaxInverseTemperature = 1e3;

    /// <summary>Creates a scaler with a known temperature.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite positive number.</exception>
    public TemperatureScaling(double temperature)
    {
        if (!double.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a finite number > 0.");
        }

        Temperature = temperature;
    }

    /// <summary>The temperature T; 1 leaves probabilities unchanged.</summary>
    public double Temperature { get; }

    /// <summary>
    /// The temperature that minimises the log-loss of <paramref name="probabilities"/> on the rows whose gold is known
    /// (gold -1 rows are ignored). Select the rows to fit on first (e.g. a label model's covered valid rows).
    /// </summary>
    /// <exception cref="ArgumentException">Gold length differs from the rows, a gold class is out of range, or fewer than two rows have gold.</exception>
    public static TemperatureScaling Fit(ProbabilisticLabels probabilities, IReadOnlyList<int> gold)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(gold);
        if (gold.Count != probabilities.RowCount)
        {
            throw new ArgumentException($"{gold.Count} gold labels for {probabilities.RowCount} rows.", nameof(gold));
        }

        int k = probabilities.Cardinality;
        var logRows = new List<(double[] LogP, int Gold)>();
        for (int i = 0; i < gold.Count; i++)
        {
            if (gold[i] < 0)
            {
                continue;
            }

            if (gold[i] >= k)
            {
                throw new ArgumentException($"Gold label {gold[i]} at row {i} is not a class of a {k}-class model.", nameof(gold));
            }

            var row = probabilities.Row(i);
            var logP = new double[k];
            for (int c = 0; c < k; c++)
            {
                logP[c] = Math.Log(Math.Max(row[c], Calibration.ProbabilityFloor));
            }

            logRows.Add((logP, gold[i]));
        }

        if (logRows.Count < 2)
        {
            throw new ArgumentException(
                $"Temperature scaling needs at least two rows with gold; {logRows.Count} given.", nameof(gold));
        }

        double lo = Math.Log(MinInverseTemperature), hi = Math.Log(MaxInverseTemperature);
        if (Slope(logRows, Math.Exp(lo)) >= 0)
        {
            return new TemperatureScaling(1 / MinInverseTemperature);
        }

        if (Slope(logRows, Math.Exp(hi)) <= 0)
        {
            return new TemperatureScaling(1 / MaxInverseTemperature);
        }

        for (int iteration = 0; iteration < 100 && hi - lo > 1e-12; iteration++)
        {
            double mid = 0.5 * (lo + hi);
            if (Slope(logRows, Math.Exp(mid)) < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return new TemperatureScaling(1 / Math.Exp(0.5 * (lo + hi)));
    }

    /// <summary>The rescaled probabilities; rows of equal probabilities (e.g. uncovered rows) stay equal.</summary>
    public ProbabilisticLabels Apply(ProbabilisticLabels probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        int k = probabilities.Cardinality;
        double beta = 1 / Temperature;
        var values = new double[probabilities.RowCount * k];
        var logits = new double[k];
        for (int i = 0; i < probabilities.RowCount; i++)
        {
            var row = probabilities.Row(i);
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                logits[c] = beta * Math.Log(Math.Max(row[c], Calibration.ProbabilityFloor));
                max = Math.Max(max, logits[c]);
            }

            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                logits[c] = Math.Exp(logits[c] - max);
                sum += logits[c];
            }

            for (int c = 0; c < k; c++)
            {
                values[(i * k) + c] = logits[c] / sum;
            }
        }

        return ProbabilisticLabels.FromRowMajor(values, k);
    }

    // d/dβ of Σ_i [logsumexp(β ℓ_i) − β ℓ_i,gold] = Σ_i (E_q[ℓ_i] − ℓ_i,gold); increasing in β (convexity).
    private static double Slope(List<(double[] LogP, int Gold)> rows, double beta)
    {
        double slope = 0;
        foreach (var (logP, y) in rows)
        {
            double max = double.NegativeInfinity;
            foreach (double l in logP)
            {
                max = Math.Max(max, beta * l);
            }

            double z = 0, expected = 0;
            foreach (double l in logP)
            {
                double w = Math.Exp((beta * l) - max);
                z += w;
                expected += w * l;
            }

            slope += (expected / z) - logP[y];
        }

        return slope;
    }
}
