using Skein.Training;

namespace Skein.Tests.Training;

public sealed class PerformanceGapRecoveredTests
{
    [Theory]
    [InlineData(0.6, 0.7, 0.8, 0.5)]
    [InlineData(0.6, 0.6, 0.8, 0.0)]
    [InlineData(0.6, 0.8, 0.8, 1.0)]
    [InlineData(0.6, 0.9, 0.8, 1.5)] // a student above its ceiling is kept above 1
    [InlineData(0.6, 0.5, 0.8, -0.5)] // worse than its supervisor: negative unless clipped
    public void Pgr_is_the_share_of_the_gap_recovered(double weak, double student, double ceiling, double expected) =>
        Assert.Equal(expected, PerformanceGapRecovered.Compute(weak, student, ceiling)!.Value, 12);

    [Theory]
    [InlineData(0.8, 0.8)]
    [InlineData(0.8, 0.7)]
    [InlineData(0.8, 0.8 + 1e-12)]
    public void Pgr_is_undefined_without_a_gap(double weak, double ceiling) =>
        Assert.Null(PerformanceGapRecovered.Compute(weak, 0.9, ceiling));

    [Fact]
    public void Lower_is_better_scores_flip_the_direction()
    {
        var lower = new PerformanceGapOptions { LowerIsBetter = true };
        Assert.Equal(0.5, PerformanceGapRecovered.Compute(0.4, 0.3, 0.2, lower)!.Value, 12);
        Assert.Null(PerformanceGapRecovered.Compute(0.2, 0.3, 0.4, lower)); // the "ceiling" has the higher error
        Assert.Null(PerformanceGapRecovered.Compute(0.4, 0.3, 0.2)); // same numbers read as higher-is-better
    }

    [Fact]
    public void Clipping_is_optional_and_only_at_zero()
    {
        var clip = new PerformanceGapOptions { ClipAtZero = true };
        Assert.Equal(0, PerformanceGapRecovered.Compute(0.6, 0.5, 0.8, clip));
        Assert.Equal(1.5, PerformanceGapRecovered.Compute(0.6, 0.9, 0.8, clip)!.Value, 12);
    }

    [Fact]
    public void A_tie_with_the_weak_model_reads_positive_zero()
    {
        double pgr = PerformanceGapRecovered.Compute(0.4, 0.4, 0.2, new PerformanceGapOptions { LowerIsBetter = true })!.Value;
        Assert.True(pgr == 0 && !double.IsNegative(pgr));
    }

    [Fact]
    public void The_minimum_gap_guards_against_dividing_by_noise()
    {
        var coarse = new PerformanceGapOptions { MinimumGap = 0.01 };
        Assert.Null(PerformanceGapRecovered.Compute(0.800, 0.81, 0.805, coarse));
        Assert.Equal(0.5, PerformanceGapRecovered.Compute(0.80, 0.81, 0.82, coarse)!.Value, 9);
    }

    [Fact]
    public void Non_finite_scores_and_bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceGapRecovered.Compute(double.NaN, 0.5, 0.8));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceGapRecovered.Compute(0.5, double.PositiveInfinity, 0.8));
        Assert.Throws<ArgumentException>(() => PerformanceGapRecovered.Compute(0.5, 0.6, 0.8, new PerformanceGapOptions { MinimumGap = 0 }));
    }
}
