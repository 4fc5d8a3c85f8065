using Skein.EndModels;
using Skein.Features;
using Skein.Training;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.Training;

public sealed class WeakToStrongExperimentTests
{
    private static readonly Func<int, IEndModelTrainer> Weak = seed => new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = seed });
    private static readonly Func<int, IEndModelTrainer> Strong = seed =>
        new Mlp(new MlpOptions { HiddenSizes = [16], Epochs = 15, BatchSize = 32, Seed = seed, MaxDegreeOfParallelism = 1 });

    /// <summary>Two overlapping blobs in 6 dimensions; the weak view sees only the first dimension, the strong view all six.</summary>
    private static WeakToStrongData Data(int n = 400, int testRows = 400)
    {
        var train = MakeBlobs(n, 6, 2, seed: 1, spread: 0.6);
        var test = MakeBlobs(testRows, 6, 2, seed: 2, spread: 0.6);
        static FeatureMatrix FirstColumn(DenseMatrix x) =>
            DenseMatrix.FromRows([.. Enumerable.Range(0, x.RowCount).Select(i => new double[] { x[i, 0] })]);
        return new WeakToStrongData(FirstColumn(train.X), train.X, train.Gold, FirstColumn(test.X), test.X, test.Gold, 2);
    }

    [Fact]
    public void Stratified_split_halves_every_class_and_depends_only_on_the_seed()
    {
        int[] labels = [.. Enumerable.Range(0, 101).Select(i => i % 3 == 0 ? 1 : i % 7 == 0 ? 2 : 0)];
        var (a, b) = WeakToStrongExperiment.Split(labels, 3, seed: 4);

        Assert.Equal(Enumerable.Range(0, 101), a.Concat(b).Order());
        for (int c = 0; c < 3; c++)
        {
            int inA = a.Count(i => labels[i] == c), inB = b.Count(i => labels[i] == c);
            Assert.InRange(inA - inB, -1, 1);
        }

        Assert.Equal(a, WeakToStrongExperiment.Split(labels, 3, seed: 4).A);
        Assert.NotEqual(a, WeakToStrongExperiment.Split(labels, 3, seed: 5).A);
        Assert.InRange(WeakToStrongExperiment.Split(labels, 3, seed: 4, stratified: false).A.Length, 50, 51);
    }

    [Fact]
    public void A_class_too_small_for_both_halves_is_named()
    {
        int[] labels = [0, 0, 1, 1, 2];
        var error = Assert.Throws<ArgumentException>(() => WeakToStrongExperiment.Split(labels, 3, seed: 0));
        Assert.Contains("Class 2 has 1 row", error.Message);
    }

    [Fact]
    public void Subsample_keeps_class_shares_and_is_seeded()
    {
        int[] labels = [.. Enumerable.Range(0, 1000).Select(i => i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2)];
        var rows = WeakToStrongExperiment.Subsample(labels, 3, 100, seed: 1);

        Assert.Equal(100, rows.Length);
        Assert.Equal([70, 20, 10], Enumerable.Range(0, 3).Select(c => rows.Count(r => labels[r] == c)));
        Assert.Equal(rows, WeakToStrongExperiment.Subsample(labels, 3, 100, seed: 1));
        Assert.NotEqual(rows, WeakToStrongExperiment.Subsample(labels, 3, 100, seed: 2));
        Assert.Equal(1000, WeakToStrongExperiment.Subsample(labels, 3, 5000, seed: 1).Length);
        // A rare class keeps two rows so that both halves can hold it.
        int[] rare = [.. Enumerable.Range(0, 1000).Select(i => i < 3 ? 1 : 0)];
        Assert.Equal(2, WeakToStrongExperiment.Subsample(rare, 2, 100, seed: 0).Count(r => rare[r] == 1));
    }

    [Fact]
    public void The_protocol_scores_weak_ceiling_and_students_and_computes_pgr()
    {
        var experiment = new WeakToStrongExperiment(new WeakToStrongOptions { Seeds = [0, 1] });
        var result = experiment.Run(Data(), Weak, Strong);

        Assert.Equal(2, result.Seeds.Count);
        foreach (var seed in result.Seeds)
        {
            Assert.Equal(200, seed.WeakTrainRows);
            Assert.Equal(200, seed.StudentTrainRows);
            Assert.True(seed.Ceiling > seed.Weak + 0.05, $"ceiling {seed.Ceiling} vs weak {seed.Weak}");
            Assert.Equal([WeakToStrongLoss.CrossEntropy, WeakToStrongLoss.AuxiliaryConfidence], seed.Students.Select(s => s.Loss));
            foreach (var student in seed.Students)
            {
                Assert.Equal((student.Accuracy - seed.Weak) / (seed.Ceiling - seed.Weak), student.Pgr!.Value, 12);
            }

            Assert.Null(seed.Students[0].OverruledShare);
            Assert.NotNull(seed.Students[1].OverruledShare);
        }

        Assert.Equal(result.Seeds.Average(s => s.Weak), result.MeanWeak, 12);
        var xent = result.Student(WeakToStrongLoss.CrossEntropy);
        Assert.Equal(result.Seeds.Average(s => s.Students[0].Accuracy), xent.MeanAccuracy, 12);
        Assert.Equal((xent.MeanAccuracy - result.MeanWeak) / (result.MeanCeiling - result.MeanWeak), xent.Pgr!.Value, 12);
        Assert.Equal(result.Seeds.Average(s => s.Students[0].Pgr!.Value), xent.MeanSeedPgr!.Value, 12);
        // The students learn from the weak labels' structure in the strong view, beyond what the weak view allows.
        Assert.True(xent.MeanAccuracy > result.MeanWeak, $"student {xent.MeanAccuracy} vs weak {result.MeanWeak}");
    }

    [Fact]
    public void Same_options_give_the_same_numbers()
    {
        var options = new WeakToStrongOptions { Seeds = [3], Losses = [WeakToStrongLoss.AuxiliaryConfidence] };
        var first = new WeakToStrongExperiment(options).Run(Data(200, 100), Weak, Strong);
        var second = new WeakToStrongExperiment(options).Run(Data(200, 100), Weak, Strong);
        Assert.Equal(first.Seeds[0], second.Seeds[0] with { Students = first.Seeds[0].Students });
        Assert.Equal(first.Seeds[0].Students, second.Seeds[0].Students);
    }

    [Fact]
    public void An_ensemble_supervisor_is_the_weak_baseline()
    {
        var options = new WeakToStrongOptions { Seeds = [0], Losses = [WeakToStrongLoss.CrossEntropy], WeakEnsembleSize = 3 };
        Func<int, IEndModelTrainer> mlpWeak = seed => new Mlp(new MlpOptions { HiddenSizes = [4], Epochs = 5, BatchSize = 32, Seed = seed });
        var data = Data(200, 100);
        var result = new WeakToStrongExperiment(options).Run(data, mlpWeak, Strong);

        // Rebuild the ensemble by hand: members seeded 0·1009 + j, trained on half A.
        var (a, _) = WeakToStrongExperiment.Split(data.Labels, 2, 0);
        var gold = OneHot([.. a.Select(i => data.Labels[i])], 2);
        var ensemble = TeacherEnsemble.Fit([mlpWeak(0), mlpWeak(1), mlpWeak(2)], data.WeakFeatures.SelectRows(a), gold);
        var predicted = ensemble.PredictProba(data.WeakTestFeatures).ArgMax();
        Assert.Equal(Accuracy(predicted, [.. data.TestLabels]), result.Seeds[0].Weak, 12);
    }

    [Fact]
    public void The_auxiliary_loss_needs_an_mlp_student()
    {
        var options = new WeakToStrongOptions { Seeds = [0], Losses = [WeakToStrongLoss.AuxiliaryConfidence] };
        var error = Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment(options).Run(Data(100, 50), Weak, Weak));
        Assert.Contains("Mlp", error.Message);
    }

    [Fact]
    public void Items_are_featurised_once_per_view_and_set()
    {
        var data = Data(100, 50);
        var calls = new List<int>();
        FeatureMatrix Dense(IReadOnlyList<int> rows, bool weak)
        {
            calls.Add(rows.Count);
            var source = rows.Count == 100 ? (weak ? data.WeakFeatures : data.StrongFeatures) : (weak ? data.WeakTestFeatures : data.StrongTestFeatures);
            return source;
        }

        var weakView = new WeakToStrongView<int>("weak", rows => Dense(rows, true), Weak);
        var strongView = new WeakToStrongView<int>("strong", rows => Dense(rows, false), Strong);
        var result = new WeakToStrongExperiment(new WeakToStrongOptions { Seeds = [0], Losses = [WeakToStrongLoss.CrossEntropy] })
            .Run([.. Enumerable.Range(0, 100)], data.Labels, [.. Enumerable.Range(0, 50)], data.TestLabels, 2, weakView, strongView);

        Assert.Equal([100, 100, 50, 50], calls.Order().Reverse());
        Assert.Single(result.Seeds);
    }

    [Fact]
    public void Bad_options_and_data_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment(new WeakToStrongOptions { Seeds = [] }));
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment(new WeakToStrongOptions { Seeds = [1, 1] }));
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment(new WeakToStrongOptions { Losses = [] }));
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment(new WeakToStrongOptions { WeakEnsembleSize = 0 }));
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment(new WeakToStrongOptions { Auxiliary = new() { AlphaMax = 2 } }));
        var data = Data(100, 50);
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment().Run(data with { TestLabels = [.. data.TestLabels.Select(y => y + 1)] }, Weak, Strong));
        Assert.Throws<ArgumentException>(() => new WeakToStrongExperiment().Run(data with { Labels = [.. data.Labels.Take(10)] }, Weak, Strong));
    }
}
