using Skein.EndModels;
using Skein.Features;
using Skein.Labeling;
using Skein.Pipeline;
using Skein.Selection;

namespace Skein.Tests.Selection;

public class SelectionTests
{
    private static readonly string[] PositiveWords = ["great", "love", "wonderful", "superb", "happy", "enjoyed"];
    private static readonly string[] NegativeWords = ["awful", "hate", "terrible", "boring", "sad", "wasted"];
    private static readonly string[] Filler = ["the", "movie", "plot", "actor", "scene", "film", "ending", "music"];

    // Three class words and filler per text; the LFs see only a few of them, so some rows are uncovered.
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

    private static readonly ILabelingFunction<string>[] Lfs =
    [
        LabelingFunction.Keyword("positive", 1, "great", "love"),
        LabelingFunction.Keyword("negative", 0, "awful", "hate"),
        LabelingFunction.Keyword("wonderful", 1, "wonderful"),
    ];

    private static SearchSpace Small => new()
    {
        LabelModels = [LabelModelCandidate.MajorityVote, LabelModelCandidate.DataProgramming],
        EndModels = [EndModelCandidate.Softmax([3, 30])],
    };

    private static AutoPipelineBuilder<string> Builder(int seed = 1)
    {
        var (dev, devGold) = Task(120, 2);
        return AutoPipeline.For(Lfs, 2, t => t)
            .WithFeatures("tfidf", Featurizer.TfIdf<string>(t => t, new HashedNGramOptions { Dimension = 1 << 12, CharNGrams = null }))
            .WithSearchSpace(Small)
            .WithDev(dev, devGold)
            .WithSeed(seed);
    }

    [Fact]
    public void Fit_scores_every_candidate_chooses_one_per_stage_and_predicts_new_text()
    {
        var (train, _) = Task(400, 1);
        var progress = new Collect();
        var fitted = Builder().Fit(train, progress);

        var table = fitted.Table;
        Assert.Equal(2, table.Count(r => r.Stage == SelectionStage.LabelModel));
        Assert.Equal(2 * 2, table.Count(r => r.Stage == SelectionStage.EndModel)); // 2 budgets × soft/hard
        Assert.Single(table, r => r.Stage == SelectionStage.LabelModel && r.Chosen);
        Assert.Single(table, r => r.Stage == SelectionStage.EndModel && r.Chosen);
        Assert.All(table, r => Assert.InRange(r.Score!.Value, 0, 1));
        var chosenEnd = table.Single(r => r.Stage == SelectionStage.EndModel && r.Chosen);
        Assert.Equal(table.Where(r => r.Stage == SelectionStage.EndModel).Max(r => r.Score), chosenEnd.Score);
        Assert.Equal(fitted.Selection.EndModelScore, chosenEnd.Score);
        Assert.Equal(table.Count, progress.Items.Count);
        Assert.Contains("dev accuracy", progress.Items[0].Message, StringComparison.Ordinal);
        Assert.True(fitted.Selection.TrainRows.Count < train.Length, "uncovered rows are left out");

        var (test, testGold) = Task(200, 3);
        var evaluation = fitted.Evaluate(test, testGold);
        Assert.True(evaluation.EndModel > 0.85, $"end model test accuracy {evaluation.EndModel}");
        Assert.Equal(2, evaluation.LabelModels.Count);
        var proba = fitted.PredictProba(["a great and happy film", "awful boring plot"]);
        Assert.Equal([1, 0], fitted.Predict(["a great and happy film", "awful boring plot"]));
        Assert.Equal(1.0, proba[0, 0] + proba[0, 1], 9);
    }

    [Fact]
    public void Same_seed_gives_the_same_choice_and_bits()
    {
        var (train, _) = Task(300, 1);
        var (test, _) = Task(50, 3);
        var a = Builder(seed: 7).Fit(train);
        var b = Builder(seed: 7).Fit(train);
        Assert.Equal(a.Table, b.Table);
        Assert.True(a.PredictProba(test).BitwiseEquals(b.PredictProba(test)));
        Assert.Equal(7, a.Seed);
    }

    [Fact]
    public void Ties_keep_the_earlier_candidate()
    {
        var (train, _) = Task(200, 1);
        var space = Small with
        {
            LabelModels = [LabelModelCandidate.MajorityVote with { Name = "first" }, LabelModelCandidate.MajorityVote with { Name = "second" }],
        };
        var fitted = Builder().WithSearchSpace(space).Fit(train);
        Assert.Equal("first", fitted.LabelModelName);
        var rows = fitted.Table.Where(r => r.Stage == SelectionStage.LabelModel).ToArray();
        Assert.Equal(rows[0].Score, rows[1].Score);
    }

    [Fact]
    public void Without_dev_the_first_candidates_and_the_full_budget_are_kept_unscored()
    {
        var (train, _) = Task(200, 1);
        var fitted = AutoPipeline.For(Lfs, 2, t => t).WithSearchSpace(Small).WithSeed(1).Fit(train);
        Assert.Equal(LabelModelCandidate.MajorityVote.Name, fitted.LabelModelName);
        Assert.Equal(TrainingLabels.Soft, fitted.Selection.Labels);
        Assert.Equal("30 iterations", fitted.Selection.EndModelSetting);
        Assert.All(fitted.Table, r => Assert.Null(r.Score));
    }

    [Fact]
    public void A_custom_end_model_and_self_training_enter_through_the_search_space()
    {
        var (train, _) = Task(300, 1);
        var custom = EndModelCandidate.Custom("l2-softmax", seed =>
            [new EndModelBudget("L2 0.1", new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = seed, L2 = 0.1 }))]);
        var space = Small with { EndModels = [custom], Labels = TrainingLabels.Soft, SelfTraining = SearchSpace.DefaultSelfTraining() };
        var fitted = Builder().WithSearchSpace(space).Fit(train);
        Assert.Equal("l2-softmax", fitted.Selection.EndModelCandidate.Name);
        Assert.Single(fitted.Table, r => r.Stage == SelectionStage.EndModel);
        Assert.Equal(3, fitted.Table.Count(r => r.Stage == SelectionStage.SelfTraining));
        Assert.Equal(fitted.Selection.SelfTraining is not null, fitted.Table.Any(r => r.Stage == SelectionStage.SelfTraining && r.Chosen));
    }

    [Fact]
    public void Invalid_spaces_and_dev_sets_are_refused_with_the_option_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelSelector(new SearchSpace { LabelModels = [] }));
        Assert.Contains("SearchSpace.LabelModels", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SearchSpace.DefaultSelfTraining(1.5));
        Assert.Contains("Threshold = 1.5", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AutoPipeline.For(Lfs, 2, t => t).WithDev(["a"], [2]));
        Assert.Throws<ArgumentException>(() => EndModelCandidate.FromName("svm"));
        Assert.Equal([25, 50, 100, 200], EndModelCandidate.DefaultSoftmaxIterations);
        Assert.Equal(["25 iterations", "50 iterations", "100 iterations", "200 iterations"], EndModelCandidate.Softmax().Ladder(0).Select(b => b.Setting));
        Assert.Equal(1 << 15, EndModelCandidate.FromName("mlp").TfIdfDimension);
    }

    [Fact]
    public void Concat_puts_the_dense_columns_first_and_keeps_their_zeros()
    {
        var dense = DenseMatrix.FromRowMajor([1f, 0f, 2f, 3f], 2);
        var sparse = SparseMatrix.FromCsr([0, 1, 1], [2], [5f], 3);
        var both = Featurizer.Concat(dense, sparse);
        Assert.Equal(5, both.ColumnCount);
        Assert.Equal([0, 1, 4], both.RowColumns(0).ToArray());
        Assert.Equal([1f, 0f, 5f], both.RowValues(0).ToArray());
        Assert.Equal([2f, 3f], both.RowValues(1).ToArray());
    }

    [Fact]
    public void DevSplit_is_seeded_disjoint_and_sized_by_the_fraction()
    {
        var (train, dev) = DevSplit.Shuffle(101, seed: 3);
        Assert.Equal(20, dev.Length);
        Assert.Equal(101, train.Concat(dev).Distinct().Count());
        Assert.Equal(dev, DevSplit.Shuffle(101, seed: 3).Dev);
        Assert.NotEqual(dev, DevSplit.Shuffle(101, seed: 4).Dev);
    }

    private sealed class Collect : IProgress<SelectionProgress>
    {
        public List<SelectionProgress> Items { get; } = [];

        public void Report(SelectionProgress value) => Items.Add(value);
    }
}
