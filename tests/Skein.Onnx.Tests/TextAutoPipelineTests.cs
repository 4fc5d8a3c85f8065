using Skein.Labeling;
using Skein.Selection;

namespace Skein.Onnx.Tests;

public class TextAutoPipelineTests
{
    private static (string[] Texts, int[] Gold) Task(int n, int seed)
    {
        string[] spam = ["subscribe", "channel", "free", "link"], ham = ["song", "love", "voice", "video"];
        var random = new Random(seed);
        var gold = Enumerable.Range(0, n).Select(_ => random.Next(2)).ToArray();
        var texts = gold.Select((y, i) => string.Join(' ', Enumerable.Range(0, 4).Select(_ => (y == 1 ? spam : ham)[random.Next(4)])) + $" #{i}").ToArray();
        return (texts, gold);
    }

    [Fact]
    public void For_adds_the_zero_shot_lf_and_puts_embeddings_next_to_ngrams()
    {
        var embedder = new FakeEmbedder(dimension: 8);
        var lfs = new[] { LabelingFunction.Keyword("subscribe", 1, "subscribe"), LabelingFunction.Keyword("song", 0, "song") };
        var prototypes = new[] { ClassPrototype.Of(1, "subscribe to my channel"), ClassPrototype.Of(0, "I love this song") };
        var (train, _) = Task(200, 1);
        var (dev, devGold) = Task(60, 2);
        var space = new SearchSpace { LabelModels = [LabelModelCandidate.MajorityVote], EndModels = [EndModelCandidate.Softmax([50])] };

        var fitted = TextAutoPipeline.For(lfs, 2, embedder, prototypes)
            .WithSearchSpace(space)
            .WithDev(TextAutoPipeline.Embed(embedder, dev), devGold)
            .WithSeed(3)
            .Fit(TextAutoPipeline.Embed(embedder, train));

        Assert.Equal(["subscribe", "song", TextAutoPipeline.DefaultZeroShotName], fitted.LabelingFunctions.Select(lf => lf.Name));
        Assert.Equal(3, fitted.TrainMatrix.LfCount);
        Assert.Equal(TextAutoPipeline.FeaturesName, fitted.Selection.Features);
        var x = fitted.Featurizer.Transform(TextAutoPipeline.Embed(embedder, ["free link now"]));
        Assert.Equal(8 + TextAutoPipeline.DefaultNGramDimension, x.ColumnCount);
        Assert.Equal(embedder.Vector("free link now")[0], x[0, 0]);
        var (test, testGold) = Task(100, 4);
        double accuracy = fitted.Evaluate(TextAutoPipeline.Embed(embedder, test), testGold).EndModel;
        // The fake embedder's zero-shot LF votes on hash noise (0.81 measured with these seeds), so the bar is well above chance, not high.
        Assert.True(accuracy > 0.75, $"end model test accuracy {accuracy}");
    }
}
