using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class FocalWeightingTests
{
    [Fact]
    public void Weights_are_scaled_by_one_minus_target_probability_to_the_gamma()
    {
        int[] rows = [0, 1];
        double[] probabilities = [0.9, 0.1, 0.4, 0.6];
        double[] targets = [1, 0, 0.5, 0.5];
        double[] weights = [1, 2];
        new FocalWeightingObjective(2).Adjust(new SoftTargetBatch(rows, 2, probabilities, targets, weights, 1, 0, 10));
        Assert.Equal(0.01, weights[0], 12);              // (1 − 0.9)²
        Assert.Equal(2 * 0.25, weights[1], 12);          // p_t = 0.5·0.4 + 0.5·0.6 = 0.5
        Assert.Equal([1, 0, 0.5, 0.5], targets);
    }

    [Fact]
    public void Gamma_zero_changes_nothing()
    {
        var options = new MlpOptions { HiddenSizes = [8], Epochs = 3, BatchSize = 50, Seed = 2 };
        var plain = new Mlp(options).Fit(Train.X, Train.Y);
        var focal = new Mlp(options).Fit(Train.X, Train.Y, null, null, new FocalWeightingObjective(0));
        Assert.Equal(plain.PredictProba(Train.X).Values.ToArray(), focal.PredictProba(Train.X).Values.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FocalWeightingObjective(-1));
        Assert.Equal(2, new FocalWeightingObjective().Gamma);
    }
}
