using Skein.Data;

namespace Skein.Analysis;

/// <summary>One confidence bin of a reliability diagram.</summary>
/// <param name="Lower">Lower edge of the bin (inclusive, except the first bin which also takes 0).</param>
/// <param name="Upper">Upper edge (inclusive).</param>
/// <param name="Count">Rows whose top-class probability falls in the bin.</param>
/// <param name="MeanConfidence">Mean top-class probability of those rows (NaN when empty).</param>
/// <param name="Accuracy">Fraction of those rows whose top class is the gold class (NaN when empty).</param>
public readonly record struct ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy);

/// <summary>A reliability diagram: how well predicted confidence matches observed accuracy.</summary>
/// <param name="Bins">Equal-width confidence bins over [0, 1].</param>
/// <param name="ExpectedCalibrationError">Σ_b (count_b / n)·|accuracy_b − confidence_b| over non-empty bins.</param>
/// <param name="RowCount">Rows with known gold that were binned.</param>
public sealed record Reliability(IReadOnlyList<ReliabilityBin> Bins, double ExpectedCalibrationError, int RowCount);

/// <summary>Calibration of probabilistic predictions against gold labels.</summary>
public static class Calibration
{
    /// <summary>
    /// Bins rows by their top-class probability (ties → lowest class, as <see cref="ProbabilisticLabels.ArgMax"/>)
    /// and compares confidence with accuracy. Rows whose gold is -1 are skipped.
    /// </summary>
    /// <exception cref="ArgumentException">Gold length differs from the rows, or fewer than one bin is asked for.</exception>
    public static Reliability Reliability(ProbabilisticLabels probabilities, IReadOnlyList<int> gold, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (gold.Count != probabilities.RowCount)
        {
            throw new ArgumentException($"{gold.Count} gold labels for {probabilities.RowCount} rows.", nameof(gold));
        }

        var predicted = probabilities.ArgMax();
        var count = new int[bins];
        var confidence = new double[bins];
        var correct = new int[bins];
        int rows = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (gold[i] < 0)
            {
                continue;
            }

            double p = probabilities[i, predicted[i]];
            int b = Math.Min(bins - 1, (int)(p * bins));
            count[b]++;
            confidence[b] += p;
            correct[b] += predicted[i] == gold[i] ? 1 : 0;
            rows++;
        }

        var result = new ReliabilityBin[bins];
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            double meanConfidence = count[b] == 0 ? double.NaN : confidence[b] / count[b];
            double accuracy = count[b] == 0 ? double.NaN : (double)correct[b] / count[b];
            result[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b], meanConfidence, accuracy);
            if (count[b] > 0)
            {
                ece += (double)count[b] / rows * Math.Abs(accuracy - meanConfidence);
            }
        }

        return new Reliability(result, ece, rows);
    }
}
