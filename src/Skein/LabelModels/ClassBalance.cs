using System.Globalization;

namespace Skein.LabelModels;

/// <summary>
/// Per-class weights P(Y = y) a label model uses as its class prior. Immutable.
/// </summary>
/// <remarks>
/// <see cref="FromProbabilities"/> and <see cref="Uniform"/> give a distribution. <see cref="FromLabels"/>
/// reproduces WRENCH's <c>_init_balance</c> bit for bit: (count_y + 1) / Σ count, which is <b>not</b>
/// renormalised (its weights sum to 1 + k/n). Models that only use the weights up to a constant (weighted
/// majority vote) are unaffected; use <see cref="ToProbabilities"/> where a true distribution is needed.
/// </remarks>
public sealed class ClassBalance
{
    /// <summary>How far the sum of <see cref="FromProbabilities"/> input may stray from 1.</summary>
    public const double SumTolerance = 1e-6;

    private readonly double[] _weights;

    private ClassBalance(double[] weights, bool isDistribution)
    {
        _weights = weights;
        IsDistribution = isDistribution;
    }

    /// <summary>Number of classes, k.</summary>
    public int Cardinality => _weights.Length;

    /// <summary>The weight of each class, exactly as constructed.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Whether <see cref="Weights"/> sums to 1 (false only for <see cref="FromLabels"/>).</summary>
    public bool IsDistribution { get; }

    /// <summary>The weights divided by their sum.</summary>
    public double[] ToProbabilities()
    {
        double sum = 0;
        foreach (var w in _weights)
        {
            sum += w;
        }

        return _weights.Select(w => w / sum).ToArray();
    }

    /// <summary>The uniform prior 1/k.</summary>
    public static ClassBalance Uniform(int cardinality)
    {
        ValidateCardinality(cardinality);
        return new ClassBalance(Enumerable.Repeat(1.0 / cardinality, cardinality).ToArray(), true);
    }

    /// <summary>A given prior: finite, every entry positive, summing to 1 within <see cref="SumTolerance"/>.</summary>
    /// <exception cref="ArgumentException">The vector is not a distribution with no zeros.</exception>
    public static ClassBalance FromProbabilities(IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count < 2)
        {
            throw new ArgumentException(
                $"ClassBalance needs one probability per class (at least 2); got {probabilities.Count}.", nameof(probabilities));
        }

        double sum = 0;
        for (int c = 0; c < probabilities.Count; c++)
        {
            double p = probabilities[c];
            if (!double.IsFinite(p) || p <= 0 || p > 1)
            {
                throw new ArgumentException(
                    $"ClassBalance[{c}] = {p.ToString(CultureInfo.InvariantCulture)}; every class probability must be in (0, 1].",
                    nameof(probabilities));
            }

            sum += p;
        }

        if (Math.Abs(sum - 1) > SumTolerance)
        {
            throw new ArgumentException(
                $"ClassBalance sums to {sum.ToString("R", CultureInfo.InvariantCulture)}; it must sum to 1 (±{SumTolerance.ToString(CultureInfo.InvariantCulture)}).",
                nameof(probabilities));
        }

        return new ClassBalance(probabilities.ToArray(), true);
    }

    /// <summary>
    /// WRENCH's class balance from (validation) labels: weight_y = (count_y + 1) / Σ_c count_c, not renormalised.
    /// A class absent from the labels gets 1/n, as in WRENCH when the number of classes is known.
    /// </summary>
    /// <param name="labels">Gold labels in [0, k).</param>
    /// <param name="cardinality">Number of classes, k.</param>
    /// <exception cref="ArgumentException">No labels, or a label outside [0, k).</exception>
    public static ClassBalance FromLabels(IReadOnlyList<int> labels, int cardinality)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ValidateCardinality(cardinality);
        if (labels.Count == 0)
        {
            throw new ArgumentException("ClassBalance.FromLabels needs at least one label.", nameof(labels));
        }

        var counts = new double[cardinality];
        for (int i = 0; i < labels.Count; i++)
        {
            int y = labels[i];
            if (y < 0 || y >= cardinality)
            {
                throw new ArgumentException($"Label {y} at position {i} is outside [0, {cardinality}).", nameof(labels));
            }

            counts[y]++;
        }

        // Σ counts = n exactly (small integers in double); WRENCH divides by it, not by Σ (count + 1).
        double total = labels.Count;
        return new ClassBalance(counts.Select(c => (c + 1) / total).ToArray(), false);
    }

    /// <summary>
    /// A prior estimated from the votes alone, for data without any gold labels: the mean of the per-row vote shares
    /// over the rows with at least one vote, Laplace-smoothed so that no class gets 0:
    /// p_y = (Σ_covered share_y(x) + 1) / (covered + k).
    /// </summary>
    /// <remarks>
    /// A rough estimate: it leans toward the classes whose LFs fire most often. Prefer gold labels of a small dev
    /// set (<see cref="FromLabels"/>) or a known prior (<see cref="FromProbabilities"/>) when you have one.
    /// </remarks>
    /// <exception cref="ArgumentException">The matrix has no rows.</exception>
    public static ClassBalance FromVotes(Data.LabelMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount == 0)
        {
            throw new ArgumentException("ClassBalance.FromVotes needs at least one row of votes.", nameof(matrix));
        }

        int k = matrix.Cardinality, m = matrix.LfCount;
        var shares = new double[k];
        var rowCounts = new int[k];
        long covered = 0;
        var votes = matrix.Votes;
        for (int i = 0; i < matrix.RowCount; i++)
        {
            Array.Clear(rowCounts);
            int voted = 0;
            foreach (var v in votes.Slice(i * m, m))
            {
                if (v >= 0)
                {
                    rowCounts[v]++;
                    voted++;
                }
            }

            if (voted == 0)
            {
                continue;
            }

            covered++;
            for (int c = 0; c < k; c++)
            {
                shares[c] += (double)rowCounts[c] / voted;
            }
        }

        return new ClassBalance(shares.Select(s => (s + 1) / (covered + k)).ToArray(), true);
    }

    internal void RequireCardinality(int cardinality, string optionName)
    {
        if (Cardinality != cardinality)
        {
            throw new ArgumentException(
                $"{optionName} has {Cardinality} classes but the label matrix has cardinality {cardinality}.", optionName);
        }
    }

    private static void ValidateCardinality(int cardinality)
    {
        if (cardinality < 2 || cardinality > Data.LabelMatrix.MaxCardinality)
        {
            throw new ArgumentOutOfRangeException(nameof(cardinality), cardinality,
                $"Cardinality must be in [2, {Data.LabelMatrix.MaxCardinality}].");
        }
    }
}
