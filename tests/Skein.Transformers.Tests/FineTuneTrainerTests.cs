using Skein.Data;
using Skein.Evaluation;

namespace Skein.Transformers.Tests;

public sealed class FineTuneTrainerTests
{
    private static readonly FineTuneOptions Fast = new()
    {
        LearningRate = 0.02,
        HeadLearningRate = 0.05,
        Epochs = 4,
        BatchSize = 16,
        MaxLength = 16,
        Dropout = 0.1,
        Seed = 11,
    };

    [Fact]
    public void NetworkGradientsMatchFiniteDifferences()
    {
        var encoder = new BagEncoder(hidden: 5, embedding: 4, vocabulary: 23);
        var network = new ClassifierNetwork(encoder, 3, 5);
        string[] texts = ["a b c", "d e", "f g h i j", "b"];
        var targets = new double[] { 0.7, 0.2, 0.1, 0, 1, 0, 0.3, 0.3, 0.4, 0, 0, 1 };
        int[] rows = [0, 1, 2, 3];
        var batch = encoder.Tokenize(texts, 8);

        double Loss()
        {
            var pass = network.ForwardTrain(batch, 0, 1);
            return FineTuneTrainer.SoftCrossEntropy(pass.Logits, targets, rows, 3, new float[12]);
        }

        var train = network.ForwardTrain(batch, 0, 1);
        var gradient = new float[12];
        FineTuneTrainer.SoftCrossEntropy(train.Logits, targets, rows, 3, gradient);
        network.ZeroGradients();
        network.Backward(train, gradient);
        ParameterGradientCheck.AssertMatches(network.Parameters, Loss);
    }

    [Fact]
    public void LearnsTheSyntheticTaskAndIsDeterministic()
    {
        var train = SyntheticText.Make(240, seed: 1);
        var test = SyntheticText.Make(200, seed: 2);
        var reports = new List<FineTuneProgress>();
        var first = new FineTuneTrainer(Fast).Fit(new BagEncoder(), train.Texts, train.Weak, train.Covered, progress: new SyncProgress<FineTuneProgress>(reports.Add));
        double accuracy = SyntheticText.Accuracy(test.Gold, first.Predict(test.Texts));
        Assert.True(accuracy > 0.8, $"test accuracy {accuracy}");
        Assert.Equal(Fast.Epochs, reports.Count);
        Assert.Equal(Enumerable.Range(1, Fast.Epochs), reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.Null(r.ValidMetric));
        Assert.InRange(reports[^1].LearningRate, 1e-9, 0.05 * Fast.LearningRate);
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss);

        var second = new FineTuneTrainer(Fast).Fit(new BagEncoder(), train.Texts, train.Weak, train.Covered);
        Assert.True(first.PredictProba(test.Texts).BitwiseEquals(second.PredictProba(test.Texts)));
        Assert.Equal(11, first.Seed);
    }

    [Fact]
    public void EarlyStoppingKeepsTheBestEpochAndPassesRowIds()
    {
        var train = SyntheticText.Make(160, seed: 3);
        var valid = SyntheticText.Make(60, seed: 4);
        var encoder = new BagEncoder();
        var reports = new List<FineTuneProgress>();
        var options = Fast with { Epochs = 12, Patience = 1, Labels = FineTuneLabels.Hard };
        var model = new FineTuneTrainer(options).Fit(
            encoder, train.Texts, train.Weak, train.Covered, new FineTuneValidation(valid.Texts, valid.Gold), new SyncProgress<FineTuneProgress>(reports.Add));
        Assert.All(reports, r => Assert.NotNull(r.ValidMetric));
        double best = reports.Max(r => r.ValidMetric!.Value);
        double final = WrenchProtocol.Score(valid.Gold, model.PredictProba(valid.Texts), WrenchMetric.Accuracy);
        Assert.Equal(best, final, 9);

        // Training batches carry the training rows' indices (covered ones only), for a frozen-layer cache.
        var trainingIds = encoder.SeenRowIds.Where(ids => ids is not null).SelectMany(ids => ids!).ToHashSet();
        Assert.All(trainingIds, id => Assert.True(train.Covered[id]));
        Assert.Equal(train.Covered.Count(c => c), trainingIds.Count);
    }

    [Fact]
    public void BatchesCoverEveryRowOnceAndGroupSimilarLengths()
    {
        var lengths = Enumerable.Range(0, 50).Select(i => 2 + (i * 7 % 23)).ToArray();
        int[] rows = [.. Enumerable.Range(0, 50).Where(i => i % 5 != 0)];
        var batches = Batching.EpochBatches(rows, lengths, 8, 42);
        Assert.Equal(rows.Order(), batches.SelectMany(b => b).Order());
        static int Padding(IEnumerable<int[]> batches, int[] lengths) => batches.Sum(b => (b.Length * b.Max(r => lengths[r])) - b.Sum(r => lengths[r]));
        int sorted = Padding(batches, lengths), unsorted = Padding(rows.Chunk(8), lengths);
        Assert.True(sorted * 3 < unsorted, $"padding {sorted} sorted, {unsorted} in row order");
        Assert.Equal(batches, Batching.EpochBatches(rows, lengths, 8, 42));
        Assert.NotEqual(batches, Batching.EpochBatches(rows, lengths, 8, 43));
    }

    [Fact]
    public void AnEmptyClassAfterDroppingUncoveredRowsIsAClearError()
    {
        string[] texts = ["a", "b", "c"];
        var labels = ProbabilisticLabels.FromRowMajor([0.9, 0.1, 0.2, 0.8, 0.9, 0.1], 2);
        var error = Assert.Throws<ArgumentException>(() => new FineTuneTrainer(Fast).Fit(new BagEncoder(), texts, labels, [true, false, true]));
        Assert.Contains("Class 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANanLossStopsNamingTheEpochAndLearningRate()
    {
        var train = SyntheticText.Make(64, seed: 5);
        var encoder = new BagEncoder { NanAfterForwardCalls = 5 };
        var options = Fast with { WarmupFraction = 0 };
        var error = Assert.Throws<TrainingDivergedException>(() => new FineTuneTrainer(options).Fit(encoder, train.Texts, train.Weak));
        Assert.Equal(2, error.Epoch);
        Assert.Contains("epoch 2", error.Message, StringComparison.Ordinal);
        Assert.True(error.LearningRate > 0 && error.LearningRate < options.LearningRate);
    }

    [Fact]
    public void OptionsAreValidatedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => new FineTuneTrainer(new FineTuneOptions { Dropout = 1 }));
        Assert.Contains("FineTuneOptions.Dropout", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new FineTuneTrainer(new FineTuneOptions { MaxGradientNorm = 0 }));
        Assert.Contains("MaxGradientNorm", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

internal static class ParameterGradientCheck
{
    /// <summary>Compares each parameter's accumulated gradient with central differences of <paramref name="loss"/> on a few entries.</summary>
    public static void AssertMatches(IReadOnlyList<Parameter> parameters, Func<double> loss, double step = 1e-2, int entriesPerParameter = 6)
    {
        foreach (var parameter in parameters)
        {
            var analytic = (float[])parameter.Gradient.Clone();
            var entries = Enumerable.Range(0, parameter.Value.Length).OrderByDescending(i => Math.Abs(analytic[i])).Take(entriesPerParameter);
            foreach (int i in entries)
            {
                float original = parameter.Value[i];
                parameter.Value[i] = original + (float)step;
                double plus = loss();
                parameter.Value[i] = original - (float)step;
                double minus = loss();
                parameter.Value[i] = original;
                double numeric = (plus - minus) / (2 * step);
                double tolerance = 2e-3 + (0.03 * Math.Abs(numeric));
                Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                    $"{parameter.Name}[{i}]: analytic {analytic[i]}, numeric {numeric}");
            }
        }
    }
}
