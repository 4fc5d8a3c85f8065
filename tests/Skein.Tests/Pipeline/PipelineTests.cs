using Skein.EndModels;
using Skein.Features;
using Skein.LabelModels;
using Skein.Labeling;
using Skein.Pipeline;

namespace Skein.Tests.Pipeline;

public class PipelineTests
{
    private static readonly string[] PositiveWords = ["great", "love", "wonderful", "superb", "happy", "enjoyed"];
    private static readonly string[] NegativeWords = ["awful", "hate", "terrible", "boring", "sad", "wasted"];
    private static readonly string[] Filler = ["the", "movie", "plot", "actor", "scene", "film", "ending", "music"];

    // Each text has three class words and filler; LFs see only "great"/"love" and "awful"/"hate", so some rows are
    // uncovered and the end model must generalise from the co-occurring class words.
    private static (string[] Texts, int[] Gold) Task(int n, int seed)
    {
        var random = new Random(seed);
        var texts = new string[n];
        var gold = new int[n];
        for (int i = 0; i < n; i++)
        {
            gold[i] = random.Next(2);
            var words = gold[i] == 1 ? PositiveWords : NegativeWords;
            var tokens = Enumerable.Range(0, 3).Select(_ => words[random.Next(words.Length)])
                .Concat(Enumerable.Range(0, 4).Select(_ => Filler[random.Next(Filler.Length)]))
                .OrderBy(_ => random.Next());
            texts[i] = string.Join(' ', tokens);
        }

        return (texts, gold);
    }

    private static WeakSupervisionPipeline<string>.Builder Complete() => new WeakSupervisionPipeline<string>.Builder()
        .WithCardinality(2)
        .AddLabelingFunctions(
            LabelingFunction.Keyword("positive", 1, "great", "love"),
            LabelingFunction.Keyword("negative", 0, "awful", "hate"))
        .WithLabelModel(new MajorityVote())
        .WithFeaturizer(Featurizer.TfIdf<string>(t => t, new HashedNGramOptions { Dimension = 1 << 12, CharNGrams = null }))
        .WithEndModel(new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 1 }));

    [Fact]
    public void Run_ReturnsEveryStageAndAccurateModels()
    {
        var (texts, gold) = Task(400, 7);
        var result = Complete().DropUncoveredRows().Build().Run(texts, gold);

        Assert.Equal(400, result.Apply.Matrix.RowCount);
        Assert.Equal(2, result.Summary.LabelingFunctions.Count);
        Assert.Equal(400, result.ProbabilisticLabels.RowCount);
        Assert.InRange(result.TrainingRows.Count, 100, 399); // some rows are uncovered and were dropped
        Assert.Equal(2, result.EndModel.Cardinality);
        var metrics = Assert.IsType<PipelineMetrics>(result.Metrics);
        Assert.Equal(400, metrics.GoldCount);
        Assert.True(metrics.CoveredLabelModelAccuracy > 0.99, $"covered label model accuracy {metrics.CoveredLabelModelAccuracy}");
        // The end model labels the uncovered rows too, so it beats the label model's argmax over every row.
        Assert.True(metrics.EndModelAccuracy > 0.95, $"end model accuracy {metrics.EndModelAccuracy}");
        Assert.True(metrics.EndModelAccuracy > metrics.LabelModelAccuracy);

        var (fresh, freshGold) = Task(100, 8);
        var predicted = result.PredictProba(fresh).ArgMax();
        Assert.True(predicted.Zip(freshGold).Count(p => p.First == p.Second) >= 95);
    }

    [Fact]
    public void Run_WithoutGold_HasNoMetrics_AndKeepsAllRowsByDefault()
    {
        var (texts, _) = Task(120, 3);
        var result = Complete().Build().Run(texts);
        Assert.Null(result.Metrics);
        Assert.Equal(120, result.TrainingRows.Count);
    }

    [Fact]
    public void Run_IsDeterministic()
    {
        var (texts, gold) = Task(200, 5);
        var pipeline = Complete().Build();
        var a = pipeline.Run(texts, gold);
        var b = pipeline.Run(texts, gold);
        Assert.True(a.PredictProba(texts).BitwiseEquals(b.PredictProba(texts)));
    }

    [Fact]
    public void FunctionFeaturizer_IsUsedAsGiven()
    {
        var (texts, gold) = Task(200, 9);
        var pipeline = Complete()
            .WithFeaturizer(items => DenseMatrix.FromRows(
                items.Select(t => new double[] { PositiveWords.Count(t.Contains), NegativeWords.Count(t.Contains) }).ToArray()))
            .Build();
        var result = pipeline.Run(texts, gold);
        Assert.Equal(2, result.EndModel.FeatureCount);
        Assert.True(result.Metrics!.EndModelAccuracy > 0.95);
    }

    [Theory]
    [InlineData("cardinality")]
    [InlineData("labeling functions")]
    [InlineData("label model")]
    [InlineData("featurizer")]
    [InlineData("end model")]
    public void Build_NamesTheMissingStage(string stage)
    {
        var b = new WeakSupervisionPipeline<string>.Builder();
        if (stage != "cardinality")
        {
            b.WithCardinality(2);
        }

        if (stage != "labeling functions")
        {
            b.AddLabelingFunctions(LabelingFunction.Keyword("positive", 1, "great"));
        }

        if (stage != "label model")
        {
            b.WithLabelModel(new MajorityVote());
        }

        if (stage != "featurizer")
        {
            b.WithFeaturizer(Featurizer.TfIdf<string>(t => t));
        }

        if (stage != "end model")
        {
            b.WithEndModel(new SoftmaxRegression());
        }

        var e = Assert.Throws<InvalidOperationException>(b.Build);
        Assert.Contains($"stage missing: {stage}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RejectsDuplicateLfNamesAndBadCardinality()
    {
        var b = Complete().AddLabelingFunctions(LabelingFunction.Keyword("positive", 1, "love"));
        Assert.Contains("'positive'", Assert.Throws<ArgumentException>(b.Build).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeakSupervisionPipeline<string>.Builder().WithCardinality(1));
    }

    [Fact]
    public void Run_RejectsBadGoldAndNoCoverage()
    {
        var pipeline = Complete().DropUncoveredRows().Build();
        Assert.Throws<ArgumentException>(() => pipeline.Run(["great"], [0, 1]));
        Assert.Throws<ArgumentException>(() => pipeline.Run(["great"], [2]));
        Assert.Throws<ArgumentException>(() => pipeline.Run([]));
        var e = Assert.Throws<ArgumentException>(() => pipeline.Run(["nothing here", "nor here"]));
        Assert.Contains("No LF voted", e.Message, StringComparison.Ordinal);
    }
}
