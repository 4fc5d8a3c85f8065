using Skein.Evaluation;

namespace Skein.Tests.Evaluation;

public sealed class MetricsTests
{
    [Fact]
    public void Accuracy_counts_abstentions_as_wrong()
    {
        Assert.Equal(0.5, Metrics.Accuracy([0, 1, 2, 1], [0, 1, -1, 2]));
    }

    [Fact]
    public void Binary_f1_of_class_1_matches_sklearn()
    {
        // TP 2, FP 1, FN 1 → 2·2 / (4 + 1 + 1) = 2/3 (sklearn f1_score gives 0.6666…).
        Assert.Equal(2.0 / 3, Metrics.BinaryF1([1, 1, 1, 0, 0], [1, 1, 0, 1, 0]), 1e-15);
    }

    [Fact]
    public void Binary_f1_is_zero_without_positive_predictions_or_labels()
    {
        Assert.Equal(0.0, Metrics.BinaryF1([1, 1, 0], [0, 0, 0]));
        Assert.Equal(0.0, Metrics.BinaryF1([0, 0, 0], [0, 0, 0]));
        Assert.Equal(0.0, Metrics.BinaryF1([0, 0], [1, -1]));
    }

    [Fact]
    public void Mismatched_or_empty_inputs_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Metrics.Accuracy([0, 1], [0]));
        Assert.Contains("2 gold labels but 1 predictions", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Metrics.BinaryF1([], []));
    }
}
