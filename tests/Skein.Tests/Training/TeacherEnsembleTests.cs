using Skein.Data;
using Skein.EndModels;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class TeacherEnsembleTests
{
    private static readonly ProbabilisticLabels A = ProbabilisticLabels.FromRowMajor([0.9, 0.1, 0.2, 0.8], 2);
    private static readonly ProbabilisticLabels B = ProbabilisticLabels.FromRowMajor([0.5, 0.5, 0.6, 0.4], 2);

    [Fact]
    public void Average_is_the_mean_of_the_members()
    {
        Assert.Equal([0.7, 0.3, 0.4, 0.6], TeacherEnsemble.Average([A, B]).Values.ToArray().Select(v => Math.Round(v, 12)));
        Assert.Equal([0.8, 0.2, 0.3, 0.7], TeacherEnsemble.Average([A, B], [3, 1]).Values.ToArray().Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Average_rejects_mismatched_shapes_and_bad_weights()
    {
        var other = ProbabilisticLabels.FromRowMajor([0.5, 0.5], 2);
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Average([A, other]));
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Average([]));
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Average([A, B], [1]));
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Average([A, B], [0, 0]));
        Assert.Throws<ArgumentException>(() => TeacherEnsemble.Average([A, B], [1, double.NaN]));
    }

    [Fact]
    public void A_fitted_ensemble_averages_its_members_predictions()
    {
        var trainers = Enumerable.Range(0, 3)
            .Select(s => (IEndModelTrainer)new Mlp(new MlpOptions { HiddenSizes = [8], Epochs = 3, BatchSize = 32, Seed = s }))
            .ToArray();
        var ensemble = TeacherEnsemble.Fit(trainers, Train.X, Train.Y);

        Assert.Equal(3, ensemble.Teachers.Count);
        var expected = TeacherEnsemble.Average([.. ensemble.Teachers.Select(t => t.PredictProba(Train.X))]);
        Assert.True(expected.BitwiseEquals(ensemble.PredictProba(Train.X)));
        Assert.True(expected.BitwiseEquals(ensemble.PredictProba([Train.X, Train.X, Train.X])));
        // Different seeds make different members, so the mean is not any one of them.
        Assert.False(ensemble.Teachers[0].PredictProba(Train.X).BitwiseEquals(ensemble.PredictProba(Train.X)));
    }

    [Fact]
    public void Members_may_use_different_feature_views()
    {
        var copy = Train.X.SelectRows(Enumerable.Range(0, Train.X.RowCount).ToArray());
        var trainers = new IEndModelTrainer[] { new SoftmaxRegression(), new SoftmaxRegression(new SoftmaxRegressionOptions { L2 = 1 }) };
        var ensemble = TeacherEnsemble.Fit(trainers, [Train.X, copy], Train.Y);
        Assert.Throws<ArgumentException>(() => ensemble.PredictProba([Train.X]));
        Assert.Equal(Train.X.RowCount, ensemble.PredictProba([Train.X, copy]).RowCount);
    }

    [Fact]
    public void Teachers_must_agree_on_the_classes()
    {
        var two = new SoftmaxRegression().Fit(Train.X, ProbabilisticLabels.FromRowMajor([.. Train.Gold.SelectMany(g => g == 0 ? new[] { 1.0, 0 } : [0, 1.0])], 2));
        var three = new SoftmaxRegression().Fit(Train.X, Train.Y);
        Assert.Throws<ArgumentException>(() => new TeacherEnsemble([two, three]));
        Assert.Throws<ArgumentException>(() => new TeacherEnsemble([]));
    }
}
