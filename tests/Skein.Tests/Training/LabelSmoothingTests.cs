using Skein.Data;
using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class LabelSmoothingTests
{
    [Fact]
    public void Smooth_mixes_with_the_uniform_distribution()
    {
        var y = ProbabilisticLabels.FromRowMajor([1, 0, 0, 0.5, 0.5, 0], 3);
        var s = LabelSmoothing.Smooth(y, 0.3);
        Assert.Equal([0.7 + 0.1, 0.1, 0.1, 0.35 + 0.1, 0.35 + 0.1, 0.1], s.Values.ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.True(LabelSmoothing.Smooth(y, 0).BitwiseEquals(y));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelSmoothing.Smooth(y, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelSmoothingObjective(-0.1));
    }

    [Fact]
    public void Temperature_flattens_above_one_and_sharpens_below()
    {
        var y = ProbabilisticLabels.FromRowMajor([0.6, 0.3, 0.1, 0.5, 0.5, 0], 3);
        Assert.Equal(y.Values.ToArray(), LabelSmoothing.Temper(y, 1).Values.ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        var flat = LabelSmoothing.Temper(y, 2);
        double z = Math.Sqrt(0.6) + Math.Sqrt(0.3) + Math.Sqrt(0.1);
        Assert.Equal(Math.Sqrt(0.6) / z, flat[0, 0], 12);
        Assert.Equal(0, flat[1, 2]);
        var sharp = LabelSmoothing.Temper(y, 0.5);
        Assert.Equal(0.36 / (0.36 + 0.09 + 0.01), sharp[0, 0], 12);
        Assert.Equal(1, LabelSmoothing.Temper(y, 1e-3)[0, 0], 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelSmoothing.Temper(y, 0));
    }

    [Fact]
    public void The_objective_keeps_an_mlp_from_saturating()
    {
        var options = new MlpOptions { HiddenSizes = [16], Epochs = 40, BatchSize = 50, Seed = 3 };
        var hard = OneHot(Train.Gold, 3);
        var plain = new Mlp(options).Fit(Train.X, hard);
        var smoothed = new Mlp(options).Fit(Train.X, hard, null, null, new LabelSmoothingObjective(0.3));

        double MeanMax(MlpModel m) => Enumerable.Range(0, Train.X.RowCount).Average(i => m.PredictProba(Train.X).Row(i).ToArray().Max());
        Assert.True(MeanMax(plain) > 0.97);
        // The smoothed optimum puts 0.7 + 0.1 on the class.
        Assert.InRange(MeanMax(smoothed), 0.7, 0.85);
        Assert.True(Accuracy(smoothed.Predict(Train.X), Train.Gold) > 0.95);
    }
}
