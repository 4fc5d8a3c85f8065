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

/// <summary>How well probabilistic predictions match gold labels, on the rows whose gold is known.</summary>
/// <param name="RowCount">Rows with known gold (gold ≥ 0) that were scored.</param>
/// <param name="Accuracy">Fraction of those rows whose argmax is the gold class.</param>
/// <param name="ExpectedCalibrationError">The reliability diagram's ECE (equal-width bins of top-class probability).</param>
/// <param name="BrierScore">Mean over rows of Σ_k (p_k − 1[k = gold])²; 0 is perfect, 2 the worst.</param>
/// <param name="LogLoss">Mean over rows of −ln p_gold, with p_gold floored at <see cref="Calibration.ProbabilityFloor"/>.</param>
/// <param name="Reliability">The reliability diagram the ECE comes from.</param>
public sealed record CalibrationReport(
    int RowCount, double Accuracy, double ExpectedCalibrationError, double BrierScore, double LogLoss, Reliability Reliability);

/// <summary>Calibration of probabilistic predictions against gold labels.</summary>
public static class Calibration
{
    /// <summary>Smallest probability a log-loss term uses, so one confident mistake costs ≈ 27.6 nats, not infinity.</summary>
    public const double ProbabilityFloor = 1e-12;

    /// <summary>
    /// Accuracy, expected calibration error, Brier score and log-loss of <paramref name="probabilities"/> on the rows
    /// whose gold is known (gold -1 rows are skipped). To score a label model on covered rows only, select them first
    /// (<see cref="ProbabilisticLabels.SelectRows"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Gold length differs from the rows, a gold class is ≥ the cardinality, or no row has gold.</exception>
    public static CalibrationReport Measure(ProbabilisticLabels probabilities, IReadOnlyList<int> gold, int bins = 10)
    {
        var reliability = Reliability(probabilities, gold, bins);
        if (reliability.RowCount == 0)
        {
            throw new ArgumentException("No row has a gold label (all are -1): calibration cannot be measured.", nameof(gold));
        }

        int k = probabilities.Cardinality;
        var predicted = probabilities.ArgMax();
        double brier = 0, logLoss = 0;
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            int y = gold[i];
            if (y < 0)
            {
                continue;
            }

            var row = probabilities.Row(i);
            for (int c = 0; c < k; c++)
            {
                double d = row[c] - (c == y ? 1 : 0);
                brier += d * d;
            }

            logLoss -= Math.Log(Math.Max(row[y], ProbabilityFloor));
            correct += predicted[i] == y ? 1 : 0;
        }

        int n = reliability.RowCount;
        return new CalibrationReport(n, (double)correct / n, reliability.ExpectedCalibrationError, brier / n, logLoss / n, reliability);
    }

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

        for (int i = 0; i < gold.Count; i++)
        {
            if (gold[i] >= probabilities.Cardinality)
            {
                throw new ArgumentException(
                    $"Gold label {gold[i]} at row {i} is not a class of a {probabilities.Cardinality}-class model.", nameof(gold));
            }
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
