using Skein.Training;

namespace Skein.Tests.Training;

public sealed class ScheduleTests
{
    [Theory]
    [InlineData(0.0, 0.2, 0.0)]
    [InlineData(0.05, 0.2, 0.25)]
    [InlineData(0.1, 0.2, 0.5)]
    [InlineData(0.2, 0.2, 1.0)]
    [InlineData(0.7, 0.2, 1.0)]
    [InlineData(0.0, 0.0, 1.0)]
    public void Linear_warmup_ramps_to_one_without_a_jump(double t, double warmup, double expected) =>
        Assert.Equal(expected, Schedules.LinearWarmup(t, warmup), 12);

    [Fact]
    public void Sigmoid_ramp_starts_at_exp_minus_five_and_reaches_one()
    {
        Assert.Equal(Math.Exp(-5), Schedules.SigmoidRampUp(0, 0.5), 12);
        Assert.Equal(Math.Exp(-5 * 0.25), Schedules.SigmoidRampUp(0.25, 0.5), 12);
        Assert.Equal(1, Schedules.SigmoidRampUp(0.5, 0.5));
        Assert.Equal(1, Schedules.SigmoidRampUp(0.3, 0));
    }

    [Fact]
    public void Out_of_range_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.LinearWarmup(0.5, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.SigmoidRampUp(double.NaN, 0.5));
    }
}
