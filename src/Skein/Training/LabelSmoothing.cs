using Skein.Data;
using Skein.EndModels;

namespace Skein.Training;

/// <summary>
/// Label smoothing as an <see cref="Mlp"/> objective: every target row becomes (1 − ε)·t + ε/k (Szegedy et al. 2016).
/// A cheap hedge when the targets are a label model's hard argmax: the network is never pushed to infinite logits.
/// </summary>
public sealed class LabelSmoothingObjective : ISoftTargetObjective
{
    /// <summary>Smoothing with ε = 0.1.</summary>
    public LabelSmoothingObjective()
        : this(LabelSmoothing.DefaultEpsilon)
    {
    }

    /// <summary>Smoothing with the given ε.</summary>
    /// <param name="epsilon">Mass spread uniformly over the k classes, in [0, 1); 0 changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException">ε is outside [0, 1).</exception>
    public LabelSmoothingObjective(double epsilon)
    {
        LabelSmoothing.CheckEpsilon(epsilon);
        Epsilon = epsilon;
    }

    /// <summary>The smoothing ε.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public void Adjust(SoftTargetBatch batch) => LabelSmoothing.SmoothInPlace(batch.Targets, batch.Cardinality, Epsilon);
}

/// <summary>
/// Label smoothing and temperature scaling of soft labels as plain transforms of a <see cref="ProbabilisticLabels"/>
/// set, for trainers without a per-batch hook (<see cref="SoftmaxRegression"/>): smooth or re-temper the labels once,
/// then fit on the result.
/// </summary>
public static class LabelSmoothing
{
    /// <summary>The usual smoothing, ε = 0.1.</summary>
    public const double DefaultEpsilon = 0.1;

    /// <summary>(1 − ε)·y + ε/k for every row.</summary>
    /// <param name="labels">Soft or one-hot labels.</param>
    /// <param name="epsilon">In [0, 1); default 0.1.</param>
    /// <exception cref="ArgumentOutOfRangeException">ε is outside [0, 1).</exception>
    public static ProbabilisticLabels Smooth(ProbabilisticLabels labels, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckEpsilon(epsilon);
        var values = labels.ToArray();
        SmoothInPlace(values, labels.Cardinality, epsilon);
        return ProbabilisticLabels.Wrap(values, labels.Cardinality);
    }

    /// <summary>
    /// Temperature scaling of each row: p_c^(1/T) / Σ_j p_j^(1/T). T &gt; 1 flattens towards uniform, T &lt; 1 sharpens
    /// towards the argmax, T = 1 changes nothing. Classes of probability 0 stay at 0.
    /// </summary>
    /// <param name="labels">Soft labels.</param>
    /// <param name="temperature">A finite number &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">T is not a finite number &gt; 0.</exception>
    public static ProbabilisticLabels Temper(ProbabilisticLabels labels, double temperature)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(double.IsFinite(temperature) && temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a finite number > 0.");
        }

        int k = labels.Cardinality;
        var values = labels.ToArray();
        for (int start = 0; start < values.Length; start += k)
        {
            var row = values.AsSpan(start, k);
            // Work in logs relative to the row maximum so that a small T cannot underflow every entry to 0.
            double maxLog = double.NegativeInfinity;
            foreach (var p in row)
            {
                if (p > 0)
                {
                    maxLog = Math.Max(maxLog, Math.Log(p));
                }
            }

            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                row[c] = row[c] > 0 ? Math.Exp((Math.Log(row[c]) - maxLog) / temperature) : 0;
                sum += row[c];
            }

            for (int c = 0; c < k; c++)
            {
                row[c] /= sum;
            }
        }

        return ProbabilisticLabels.Wrap(values, k);
    }

    internal static void SmoothInPlace(Span<double> targets, int k, double epsilon)
    {
        if (epsilon == 0)
        {
            return;
        }

        double uniform = epsilon / k, keep = 1 - epsilon;
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = (keep * targets[i]) + uniform;
        }
    }

    internal static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The label-smoothing ε must be in [0, 1).");
        }
    }
}
