using Skein.Data;
using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class ConfidentLearningTests
{
    // Hand-computed (see comments): t = (0.5, 1.4/3, 0.7); row 7 clears no threshold and is not counted, so
    // calibration doubles row 2 of the joint.
    private static readonly int[] Labels3 = [0, 0, 0, 1, 1, 1, 2, 2];
    private static readonly ProbabilisticLabels Probs3 = ProbabilisticLabels.FromRowMajor(
    [
        0.8, 0.1, 0.1,
        0.6, 0.3, 0.1,
        0.1, 0.8, 0.1, // given 0, confidently 1
        0.1, 0.7, 0.2,
        0.2, 0.5, 0.3,
        0.7, 0.2, 0.1, // given 1, confidently 0
        0.1, 0.1, 0.8,
        0.2, 0.2, 0.6, // p2 = 0.6 < t2 = 0.7: not counted
    ], 3);

    // Binary: t0 = 2.37/4 = 0.5925, t1 = 1.32/3 = 0.44; rows 3 and 6 are not counted. Raw joint [[2,1],[1,1]];
    // calibrated rows [8/3, 4/3] → [3, 1] and [1.5, 1.5] → half-to-even [2, 2] → one taken from the first → [1, 2].
    private static readonly int[] Labels2 = [0, 0, 0, 0, 1, 1, 1];
    private static readonly ProbabilisticLabels Probs2 = ProbabilisticLabels.FromRowMajor(
        [0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.57, 0.43, 0.2, 0.8, 0.9, 0.1, 0.58, 0.42], 2);

    [Fact]
    public void Thresholds_are_mean_self_confidence_per_class()
    {
        var t = ConfidentLearning.Thresholds(Labels3, Probs3);
        Assert.Equal([0.5, 1.4 / 3, 0.7], t, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void An_absent_class_gets_threshold_two_and_a_tiny_mean_is_clipped()
    {
        var p = ProbabilisticLabels.FromRowMajor([1, 0, 0, 1, 0, 0], 3);
        var t = ConfidentLearning.Thresholds([0, 1], p);
        Assert.Equal([1, 2e-6, 2], t);
    }

    [Fact]
    public void Confident_joint_raw_and_calibrated_match_the_hand_computation()
    {
        var raw = ConfidentLearning.ComputeConfidentJoint(Labels3, Probs3, calibrate: false);
        Assert.Equal([[2, 1, 0], [1, 2, 0], [0, 0, 1]], raw);
        var calibrated = ConfidentLearning.ComputeConfidentJoint(Labels3, Probs3);
        Assert.Equal([[2, 1, 0], [1, 2, 0], [0, 0, 2]], calibrated);
    }

    [Fact]
    public void Calibration_rounds_half_to_even_and_preserves_row_totals()
    {
        Assert.Equal([[2, 1], [1, 1]], ConfidentLearning.ComputeConfidentJoint(Labels2, Probs2, calibrate: false));
        Assert.Equal([[3, 1], [1, 2]], ConfidentLearning.ComputeConfidentJoint(Labels2, Probs2));
    }

    [Fact]
    public void The_diagonal_is_forced_to_at_least_one()
    {
        // t = (0.85, 0.075). Both examples given 1 are guessed 0 (one clears both thresholds, argmax 0): without the
        // floor C[1][1] would be 0.
        var p = ProbabilisticLabels.FromRowMajor([0.9, 0.1, 0.8, 0.2, 0.9, 0.1, 0.95, 0.05], 2);
        Assert.Equal([[1, 1], [2, 1]], ConfidentLearning.ComputeConfidentJoint([0, 0, 1, 1], p, calibrate: false));
    }

    [Fact]
    public void Noise_matrices_and_prior_follow_from_the_calibrated_joint()
    {
        var e = ConfidentLearning.Estimate(Labels2, Probs2);
        var tol = new ToleranceComparer(1e-12);
        Assert.Equal([3 / 7.0, 1 / 7.0], e.Joint[0], tol);
        Assert.Equal([0.75, 1 / 3.0], e.NoiseMatrix[0], tol);   // P(given 0 | true 0), P(given 0 | true 1)
        Assert.Equal([0.25, 2 / 3.0], e.NoiseMatrix[1], tol);
        Assert.Equal([0.75, 1 / 3.0], e.InverseNoiseMatrix[0], tol); // P(true 0 | given 0), P(true 0 | given 1)
        Assert.Equal([4 / 7.0, 3 / 7.0], e.LatentPrior, tol);
        Assert.Equal(0.25, e.NoiseRateOfGiven(0), 12);
        Assert.Equal([2, 5], e.OffDiagonal);
        Assert.Equal(2, ConfidentLearning.EstimateIssueCount(Labels2, Probs2));
        Assert.Equal(2, ConfidentLearning.EstimateIssueCount(Labels2, Probs2, calibrated: true));
    }

    [Theory]
    [InlineData(LabelIssueFilter.PruneByNoiseRate)]
    [InlineData(LabelIssueFilter.PruneByClass)]
    [InlineData(LabelIssueFilter.Both)]
    [InlineData(LabelIssueFilter.ConfidentLearning)]
    [InlineData(LabelIssueFilter.PredictedNeqGiven)]
    public void Every_filter_finds_the_two_planted_errors(LabelIssueFilter filter)
    {
        var issues = ConfidentLearning.FindLabelIssues(Labels3, Probs3, new LabelIssueOptions { FilterBy = filter });
        Assert.Equal([2, 5], issues.Indices);
        Assert.Equal([1, 0], issues.Indices.Select(i => issues.Suggested[i]));
        Assert.Equal(0.1, issues.SelfConfidence[2], 12);
        Assert.Equal((0.1 - 0.8 + 1) / 2, issues.NormalizedMargin[2], 12);
    }

    [Fact]
    public void Min_examples_per_class_protects_small_classes()
    {
        // Class 1 has 3 examples: with a minimum of 3 it is not pruned at all.
        var issues = ConfidentLearning.FindLabelIssues(Labels2, Probs2, new LabelIssueOptions { MinExamplesPerClass = 3 });
        Assert.Equal([2], issues.Indices);
        Assert.Equal([2, 5], ConfidentLearning.FindLabelIssues(Labels2, Probs2).Indices);
    }

    [Fact]
    public void Examples_whose_prediction_is_the_given_label_are_never_flagged()
    {
        // A tie between the given label 1 and class 0: the 1e-6 bonus for the given label keeps it unflagged.
        var p = ProbabilisticLabels.FromRowMajor([0.9, 0.1, 0.9, 0.1, 0.5, 0.5, 0.1, 0.9, 0.2, 0.8], 2);
        var issues = ConfidentLearning.FindLabelIssues([0, 0, 1, 1, 1], p, new LabelIssueOptions { FilterBy = LabelIssueFilter.PredictedNeqGiven });
        Assert.Empty(issues.Indices);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues([0, 1], Probs2));
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues([0, 0, 0, 0, 1, 1, 2], Probs2));
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(Labels2, Probs2, new LabelIssueOptions { FracNoise = 0 }));
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(Labels2, Probs2, new LabelIssueOptions { MinExamplesPerClass = -1 }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Finds_most_flipped_blob_labels_at_high_precision(int seed)
    {
        // Measured (seeds 1–3, spread 2, 10% flipped, softmax, 5 folds): precision 0.93–0.95, recall 0.80–0.93.
        var train = MakeBlobs(600, 5, 3, seed: seed, spread: 2);
        var (noisy, flipped) = NoisyBlobs.Flip(train.Gold, 3, 0.1, seed);
        var probs = CrossValidation.Probabilities(() => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }), train.X, noisy, 3, 5, seed);

        var issues = ConfidentLearning.FindLabelIssues(noisy, probs);
        int found = issues.Indices.Count(i => flipped[i]);
        double precision = found / (double)issues.Indices.Count, recall = found / (double)flipped.Count(f => f);
        Assert.True(precision >= 0.85 && recall >= 0.7, $"precision {precision:F3}, recall {recall:F3}");

        var naive = ConfidentLearning.FindLabelIssues(noisy, probs, new LabelIssueOptions { FilterBy = LabelIssueFilter.PredictedNeqGiven });
        Assert.True(naive.Indices.Count > issues.Indices.Count, "argmax ≠ given should flag more (and less precisely)");
        Assert.All(issues.Indices.Zip(issues.Indices.Skip(1)), p => Assert.True(issues.SelfConfidence[p.First] <= issues.SelfConfidence[p.Second]));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
