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
}
