using Skein.Data;
using Skein.EndModels;
using Skein.Features;
using static Skein.Tests.EndModels.EndModelFixtures;

namespace Skein.Tests.EndModels;

/// <summary>The checks every end model must pass (the end-model analogue of sklearn's check_estimator).</summary>
public sealed class EndModelConformanceTests
{
    private static EndModel Fit(string name) => Trainers[name]().Fit(Train.X, Train.Y);

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void PredictProba_is_n_by_k_with_rows_that_are_distributions(string name)
    {
        var model = Fit(name);
        var probs = model.PredictProba(Train.X);

        Assert.Equal((600, 3), (probs.RowCount, probs.Cardinality));
        Assert.Equal((5, 3), (model.FeatureCount, model.Cardinality));
        for (int i = 0; i < probs.RowCount; i++)
        {
            var row = probs.Row(i).ToArray();
            Assert.All(row, p => Assert.InRange(p, 0.0, 1.0));
            Assert.Equal(1.0, row.Sum(), 12);
        }
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void Predict_is_the_argmax_with_ties_to_the_lowest_class(string name)
    {
        var model = Fit(name);
        var probs = model.PredictProba(Train.X);
        var preds = model.Predict(Train.X);
        for (int i = 0; i < preds.Length; i++)
        {
            var row = probs.Row(i).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), preds[i]);
        }
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void Same_seed_gives_bit_identical_models_whatever_the_thread_count(string name)
    {
        var a = Fit(name).PredictProba(Train.X);
        var b = Fit(name).PredictProba(Train.X);
        Assert.True(a.BitwiseEquals(b));

        IEndModelTrainer oneThread = Trainers[name]() switch
        {
            SoftmaxRegression s => new SoftmaxRegression(s.Options with { MaxDegreeOfParallelism = 1 }),
            Mlp m => new Mlp(m.Options with { MaxDegreeOfParallelism = 1 }),
            _ => throw new InvalidOperationException(),
        };
        Assert.True(a.BitwiseEquals(oneThread.Fit(Train.X, Train.Y).PredictProba(Train.X)));
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void A_null_seed_is_picked_recorded_and_reproducible(string name)
    {
        var (first, again) = Trainers[name]() switch
        {
            SoftmaxRegression s => ((IEndModelTrainer)new SoftmaxRegression(s.Options with { Seed = null }),
                (Func<int, IEndModelTrainer>)(seed => new SoftmaxRegression(s.Options with { Seed = seed }))),
            Mlp m => (new Mlp(m.Options with { Seed = null }), seed => new Mlp(m.Options with { Seed = seed })),
            _ => throw new InvalidOperationException(),
        };
        var model = first.Fit(Train.X, Train.Y);
        var replay = again(model.Seed).Fit(Train.X, Train.Y);
        Assert.Equal(model.Seed, replay.Seed);
        Assert.True(model.PredictProba(Train.X).BitwiseEquals(replay.PredictProba(Train.X)));
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void Save_and_load_round_trip_bit_identically(string name)
    {
        var model = Fit(name);
        using var first = new MemoryStream();
        model.Save(first);
        first.Position = 0;
        var loaded = EndModel.Load(first);

        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(model.Seed, loaded.Seed);
        Assert.Equal(model.History, loaded.History);
        Assert.True(model.PredictProba(Train.X).BitwiseEquals(loaded.PredictProba(Train.X)));
        using var second = new MemoryStream();
        loaded.Save(second);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void Concurrent_PredictProba_gives_identical_results(string name)
    {
        var model = Fit(name);
        var expected = model.PredictProba(Train.X);
        var results = new ProbabilisticLabels[6];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 }, t => results[t] = model.PredictProba(Train.X));
        Assert.All(results, r => Assert.True(expected.BitwiseEquals(r)));
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void History_has_train_loss_and_validation_metrics_when_validating(string name)
    {
        var model = Fit(name);
        Assert.NotEmpty(model.History);
        Assert.All(model.History, e => Assert.True(double.IsFinite(e.TrainLoss)));
        bool validating = name.Contains("val", StringComparison.Ordinal) || name.Contains("gelu", StringComparison.Ordinal);
        Assert.All(model.History, e => Assert.Equal(validating, e.ValidationLoss is not null && e.ValidationAccuracy is not null));
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void Sparse_input_predicts_like_dense_input(string name)
    {
        var model = Fit(name);
        var dense = model.PredictProba(Train.X).ToArray();
        var sparse = model.PredictProba(SparseMatrix.FromDense(Train.X)).ToArray();
        Assert.All(dense.Zip(sparse), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 1e-5));
    }

    [Theory]
    [MemberData(nameof(TrainerNames), MemberType = typeof(EndModelFixtures))]
    public void Bad_input_throws_clear_ArgumentExceptions(string name)
    {
        var trainer = Trainers[name]();
        var empty = DenseMatrix.FromRowMajor([], 5);
        var noLabels = ProbabilisticLabels.FromRowMajor([], 3);
        Assert.Contains("no rows", Assert.ThrowsAny<ArgumentException>(() => trainer.Fit(empty, noLabels)).Message, StringComparison.Ordinal);

        var fewer = (DenseMatrix)Train.X.SelectRows([0, 1, 2]);
        Assert.Contains("labels have 600 rows", Assert.Throws<ArgumentException>(() => trainer.Fit(fewer, Train.Y)).Message, StringComparison.Ordinal);

        var badWeights = Enumerable.Repeat(1.0, 600).ToArray();
        badWeights[7] = double.NaN;
        Assert.Contains("row 7", Assert.Throws<ArgumentException>(() => trainer.Fit(Train.X, Train.Y, badWeights)).Message, StringComparison.Ordinal);

        var model = trainer.Fit(Train.X, Train.Y);
        Assert.Contains("5 features", Assert.Throws<ArgumentException>(() => model.PredictProba(DenseMatrix.FromRowMajor([1, 2], 2))).Message,
            StringComparison.Ordinal);
        Assert.Equal(0, model.PredictProba(empty).RowCount);
    }

    [Fact]
    public void NaN_features_and_non_distributions_are_rejected_before_a_fit()
    {
        var values = Train.X.Values.ToArray();
        values[(12 * 5) + 3] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => DenseMatrix.FromRowMajor(values, 5));
        Assert.Contains("row 12, column 3", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ArgumentException>(() => ProbabilisticLabels.FromRowMajor([0.5, 0.4, 0.3, 0.1, 0.8, 0.1], 3));
        Assert.Contains("Row 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"format\":\"skein.label-model\",\"version\":1}", "skein.end-model")]
    [InlineData("{\"format\":\"skein.end-model\",\"version\":2}", "version 2")]
    [InlineData("{\"format\":\"skein.end-model\",\"version\":1,\"model\":\"svm\",\"featureCount\":2,\"cardinality\":2,\"seed\":1,\"history\":[],\"parameters\":{}}", "svm")]
    [InlineData("not json", "Not a JSON")]
    public void Load_rejects_bad_files_with_a_DataFormatException(string json, string expected)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var error = Assert.Throws<Skein.IO.DataFormatException>(() => EndModel.Load(stream));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_validated_with_the_option_name()
    {
        Assert.Contains("SoftmaxRegressionOptions.L2", Assert.Throws<ArgumentException>(
            () => new SoftmaxRegression(new SoftmaxRegressionOptions { L2 = -1 })).Message, StringComparison.Ordinal);
        Assert.Contains("MlpOptions.HiddenSizes", Assert.Throws<ArgumentException>(
            () => new Mlp(new MlpOptions { HiddenSizes = [4, 4, 4] })).Message, StringComparison.Ordinal);
        Assert.Contains("MlpOptions.Dropout", Assert.Throws<ArgumentException>(
            () => new Mlp(new MlpOptions { Dropout = 1 })).Message, StringComparison.Ordinal);
        var explicitAndFraction = new Mlp(new MlpOptions { ValidationFraction = 0.2, Epochs = 1 });
        Assert.Throws<ArgumentException>(() => explicitAndFraction.Fit(Train.X, Train.Y, validation: new ValidationSet(Train.X, Train.Y)));
    }
}
