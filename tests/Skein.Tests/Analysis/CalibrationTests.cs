using Skein.Analysis;
using Skein.Data;

namespace Skein.Tests.Analysis;

public sealed class CalibrationTests
{
    [Fact]
    public void Bins_rows_by_top_probability_and_computes_ece()
    {
        // Top probabilities 0.95 (right), 0.95 (wrong), 0.55 (right), 0.6 (right); gold -1 on the last row is skipped.
        var probs = ProbabilisticLabels.FromRowMajor([0.95, 0.05, 0.05, 0.95, 0.45, 0.55, 0.6, 0.4, 0.5, 0.5], 2);
        var reliability = Calibration.Reliability(probs, [0, 0, 1, 0, -1], bins: 10);

        Assert.Equal(4, reliability.RowCount);
        var high = reliability.Bins[9];
        Assert.Equal(2, high.Count);
        Assert.Equal(0.95, high.MeanConfidence, 12);
        Assert.Equal(0.5, high.Accuracy, 12);
        Assert.Equal(1, reliability.Bins[5].Count); // 0.55
        Assert.Equal(1, reliability.Bins[6].Count); // 0.6
        Assert.Equal(0, reliability.Bins[0].Count);
        Assert.True(double.IsNaN(reliability.Bins[0].Accuracy));

        double expected = (2.0 / 4 * Math.Abs(0.5 - 0.95)) + (1.0 / 4 * Math.Abs(1 - 0.55)) + (1.0 / 4 * Math.Abs(1 - 0.6));
        Assert.Equal(expected, reliability.ExpectedCalibrationError, 12);
    }

    [Fact]
    public void Perfectly_calibrated_one_hot_predictions_have_zero_ece()
    {
        var probs = ProbabilisticLabels.FromRowMajor([1, 0, 0, 1, 1, 0], 2);
        Assert.Equal(0, Calibration.Reliability(probs, [0, 1, 0]).ExpectedCalibrationError);
    }

    [Fact]
    public void Gold_of_another_length_is_rejected()
    {
        var probs = ProbabilisticLabels.FromRowMajor([1, 0], 2);
        Assert.Throws<ArgumentException>(() => Calibration.Reliability(probs, [0, 1]));
    }

    [Fact]
    public void Measure_gives_accuracy_brier_and_log_loss_on_rows_with_gold()
    {
        var probs = ProbabilisticLabels.FromRowMajor([0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.5, 0.5], 2);
        var report = Calibration.Measure(probs, [0, 1, 1, -1]);

        Assert.Equal(3, report.RowCount);
        Assert.Equal(2.0 / 3, report.Accuracy, 12);
        double brier = ((0.04 + 0.04) + (0.09 + 0.09) + (0.36 + 0.36)) / 3;
        Assert.Equal(brier, report.BrierScore, 12);
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.7) + Math.Log(0.4)) / 3, report.LogLoss, 12);
        Assert.Equal(report.Reliability.ExpectedCalibrationError, report.ExpectedCalibrationError);
    }

    [Fact]
    public void Measure_rejects_no_gold_and_out_of_range_gold()
    {
        var probs = ProbabilisticLabels.FromRowMajor([0.8, 0.2, 0.3, 0.7], 2);
        Assert.Contains("No row has a gold label", Assert.Throws<ArgumentException>(() => Calibration.Measure(probs, [-1, -1])).Message,
            StringComparison.Ordinal);
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => Calibration.Measure(probs, [0, 2])).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Temperature_scaling_recovers_the_sharpening_of_over_confident_probabilities_and_keeps_the_argmax()
    {
        // Calibrated probabilities p (gold drawn from p), then reported as softmax(3 ln p): over-confident by T = 3.
        var random = new Random(7);
        const int n = 4000, k = 3;
        var reported = new double[n * k];
        var gold = new int[n];
        for (int i = 0; i < n; i++)
        {
            var p = new double[k];
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                p[c] = 0.05 + random.NextDouble();
                sum += p[c];
            }

            double u = random.NextDouble() * sum, cumulative = 0;
            gold[i] = k - 1;
            for (int c = 0; c < k; c++)
            {
                cumulative += p[c];
                if (u < cumulative)
                {
                    gold[i] = c;
                    break;
                }
            }

            double sharpSum = 0;
            for (int c = 0; c < k; c++)
            {
                sharpSum += Math.Pow(p[c], 3);
            }

            for (int c = 0; c < k; c++)
            {
                reported[(i * k) + c] = Math.Pow(p[c], 3) / sharpSum;
            }
        }

        var probs = ProbabilisticLabels.FromRowMajor(reported, k);
        var scaler = TemperatureScaling.Fit(probs, gold);
        var scaled = scaler.Apply(probs);

        Assert.InRange(scaler.Temperature, 2.7, 3.3);
        Assert.Equal(probs.ArgMax(), scaled.ArgMax());
        var before = Calibration.Measure(probs, gold);
        var after = Calibration.Measure(scaled, gold);
        Assert.True(after.ExpectedCalibrationError < before.ExpectedCalibrationError / 3,
            $"ECE {before.ExpectedCalibrationError} -> {after.ExpectedCalibrationError}");
        Assert.True(after.LogLoss < before.LogLoss);
    }

    [Fact]
    public void Temperature_one_is_the_identity_and_bad_temperatures_are_rejected()
    {
        var probs = ProbabilisticLabels.FromRowMajor([0.8, 0.2, 0.5, 0.5], 2);
        var same = new TemperatureScaling(1).Apply(probs);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(probs.Values[i], same.Values[i], 12);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureScaling(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureScaling(double.NaN));
        Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit(probs, [0, -1]));
    }
}
