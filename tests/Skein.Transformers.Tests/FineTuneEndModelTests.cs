using Skein.Data;
using Skein.Evaluation;

namespace Skein.Transformers.Tests;

public sealed class FineTuneEndModelTests
{
    private static WrenchTextEndModelInput Input(int seed)
    {
        var train = SyntheticText.Make(200, seed: 1);
        var valid = SyntheticText.Make(60, seed: 2);
        var test = SyntheticText.Make(60, seed: 3);
        var hard = train.Weak.ArgMax();
        var oneHot = new double[hard.Length * 2];
        for (int i = 0; i < hard.Length; i++)
        {
            oneHot[(i * 2) + hard[i]] = 1;
        }

        return new WrenchTextEndModelInput("synthetic", WrenchMetric.Accuracy, train.Texts, train.Weak, ProbabilisticLabels.FromRowMajor(oneHot, 2),
            train.Covered, valid.Texts, valid.Gold, WrenchValidSource.ValidFile, test.Texts, test.Gold, seed);
    }

    private static FineTuneEndModel Model(List<FineTuneProgress> reports, bool cosine) => new(new FineTuneEndModelOptions
    {
        EncoderFactory = _ => new BagEncoder(),
        FineTune = new FineTuneEndModelOptions().FineTune with { LearningRate = 0.02, HeadLearningRate = 0.05, Epochs = 2, BatchSize = 16, MaxLength = 16 },
        Cosine = cosine,
        CosineOptions = new FineTuneEndModelOptions().CosineOptions with { SelfTrainingSteps = 30, TeacherUpdatePeriod = 10 },
        Progress = new SyncProgress<FineTuneProgress>(reports.Add),
    });

    [Fact]
    public void ScoresBothStagesChecksValidFourTimesAnEpochAndRepeatsPerSeed()
    {
        var reports = new List<FineTuneProgress>();
        var result = Model(reports, cosine: true).Fit(Input(4));
        Assert.Equal([FineTuneEndModel.FineTuneStage, FineTuneEndModel.CosineStage], result.Stages.Select(s => s.Stage));
        Assert.All(result.Stages, s => Assert.InRange(s.Valid!.Value, 60, 100));
        Assert.All(result.Stages, s => Assert.NotNull(s.Test));
        // COSINE keeps stage 1's weights unless it beats them on valid.
        Assert.True(result.Stages[1].Valid >= result.Stages[0].Valid);

        var stage1 = reports.Where(r => r.Stage != "COSINE self-training").ToList();
        Assert.Equal(8, stage1.Count);
        Assert.Equal([1, 2, 3, 4, 1, 2, 3, 4], stage1.Select(r => r.Check));
        Assert.All(stage1, r => Assert.Equal(4, r.ChecksPerEpoch));

        var again = Model([], cosine: true).Fit(Input(4));
        Assert.Equal(result.Stages.Select(s => (s.Valid, s.Test)), again.Stages.Select(s => (s.Valid, s.Test)));

        // Without COSINE the fine-tune stage is the same fit (same seed, same bits).
        var plain = Model([], cosine: false).Fit(Input(4));
        Assert.Equal((result.Stages[0].Valid, result.Stages[0].Test), (plain.Stages.Single().Valid, plain.Stages.Single().Test));
    }

    [Fact]
    public void DefaultsAreTheReferenceStudysSetting()
    {
        var o = new FineTuneEndModelOptions();
        Assert.Equal(4, o.FrozenLayers);
        Assert.Equal(3e-4, o.FineTune.LearningRate);
        Assert.Equal(64, o.FineTune.MaxLength);
        Assert.Equal(4, o.FineTune.Epochs);
        Assert.Equal(32, o.FineTune.BatchSize);
        Assert.Equal(0.3, o.CosineOptions.ConfidenceThreshold);
        Assert.Equal(50, o.CosineOptions.TeacherUpdatePeriod);
        Assert.Equal(1000, o.CosineOptions.SelfTrainingSteps);
    }
}
