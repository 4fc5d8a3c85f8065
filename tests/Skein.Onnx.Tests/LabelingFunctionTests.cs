using Skein.Labeling;

namespace Skein.Onnx.Tests;

[Collection(EmbedderGroup.Name)]
public sealed class PrototypeLabelingFunctionModelTests(EmbedderFixture fixture)
{
    private const int Ham = 0, Spam = 1;

    [Fact]
    public void Votes_spam_and_ham_on_clear_youtube_comments_and_abstains_off_topic()
    {
        var lf = EmbeddingPrototypeLabelingFunction.Create("zero_shot_spam", fixture.Embedder,
        [
            ClassPrototype.Of(Spam, "check out my channel, subscribe!", "visit my website to win free money"),
            ClassPrototype.Of(Ham, "this song is beautiful", "I love her voice in this music video"),
        ]);
        string[] comments =
        [
            "Please subscribe to my youtube channel, thanks!!",
            "What a lovely song, her voice is amazing",
            "Quarterly earnings of the bank exceeded analyst forecasts.",
        ];
        var votes = lf.Over(comments, static c => c);
        Assert.Equal(Spam, votes.Vote(comments[0]));
        Assert.Equal(Ham, votes.Vote(comments[1]));
        Assert.Equal(LabelingFunction.Abstain, votes.Vote(comments[2]));
        Assert.Equal(Spam, votes.Vote("subscribe to my channel")); // not embedded up front: embedded on demand
    }
}

public sealed class PrototypeLabelingFunctionTests
{
    /// <summary>Texts map to fixed 3-d vectors, so similarities are known exactly.</summary>
    private sealed class TableEmbedder(Dictionary<string, float[]> table) : ISentenceEmbedder
    {
        public int Calls;

        public string ModelId => "table";

        public int Dimension => 3;

        public float[][] Encode(IReadOnlyList<string> texts, IProgress<EmbeddingProgress>? progress = null,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            return [.. texts.Select(t => Unit(table[t]))];
        }

        public static float[] Unit(float[] v)
        {
            float n = System.Numerics.Tensors.TensorPrimitives.Norm<float>(v);
            return [.. v.Select(x => x / n)];
        }
    }

    private static readonly Dictionary<string, float[]> s_table = new()
    {
        ["a1"] = [1, 0, 0],
        ["a2"] = [1, 0.2f, 0],
        ["b"] = [0, 1, 0],
        ["near a"] = [1, 0.1f, 0],
        ["between"] = [1, 1, 0],
        ["neither"] = [0, 0, 1],
    };

    private static EmbeddingPrototypeLabelingFunction Lf(TableEmbedder embedder, PrototypeOptions? options = null) =>
        EmbeddingPrototypeLabelingFunction.Create("proto", embedder, [ClassPrototype.Of(2, "a1", "a2"), ClassPrototype.Of(5, "b")], options);

    [Fact]
    public void Prototype_is_the_renormalised_mean_of_unit_embeddings()
    {
        var lf = Lf(new TableEmbedder(s_table));
        var a1 = TableEmbedder.Unit([1, 0, 0]);
        var a2 = TableEmbedder.Unit([1, 0.2f, 0]);
        var expected = TableEmbedder.Unit([a1[0] + a2[0], a1[1] + a2[1], 0]);
        Assert.Equal(expected, lf.Prototype(2), new FloatComparer(1e-6f));
        Assert.Equal([2, 5], lf.Labels);
    }

    [Fact]
    public void Votes_the_clear_class_and_abstains_on_ties_and_far_items()
    {
        var embedder = new TableEmbedder(s_table);
        var lf = Lf(embedder, new PrototypeOptions { Margin = 0.1, MinSimilarity = 0.5 });
        string[] items = ["near a", "b", "between", "neither"];
        var votes = lf.Over(items, static s => s);
        Assert.Equal(2, embedder.Calls); // prototypes, then all items in one call
        Assert.Equal([2, 5, LabelingFunction.Abstain, LabelingFunction.Abstain], items.Select(votes.Vote));
        Assert.Equal(2, embedder.Calls);

        var rows = lf.OverRows(embedder.Encode(items));
        Assert.Equal([2, 5, LabelingFunction.Abstain, LabelingFunction.Abstain], Enumerable.Range(0, 4).Select(rows.Vote));
    }

    [Fact]
    public void Invalid_classes_and_options_are_rejected_with_clear_messages()
    {
        var embedder = new TableEmbedder(s_table);
        var e = Assert.Throws<ArgumentException>(() =>
            EmbeddingPrototypeLabelingFunction.Create("x", embedder, [ClassPrototype.Of(1, "a1"), ClassPrototype.Of(1, "b")]));
        Assert.Contains("label 1 is given twice", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EmbeddingPrototypeLabelingFunction.Create("x", embedder, [ClassPrototype.Of(0)]));
        Assert.Throws<ArgumentException>(() => EmbeddingPrototypeLabelingFunction.Create("x", embedder, []));
        var o = Assert.Throws<ArgumentOutOfRangeException>(() => Lf(embedder, new PrototypeOptions { Margin = -0.1 }));
        Assert.Contains("Margin", o.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Lf(embedder).Vote(new float[4]));
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}

public sealed class ModelLabelingFunctionTests
{
    [Theory]
    [InlineData(new[] { 0.05, 0.95 }, 0.9, 1)]
    [InlineData(new[] { 0.15, 0.85 }, 0.9, -1)]
    [InlineData(new[] { 0.92, 0.04, 0.04 }, 0.9, 0)]
    [InlineData(new[] { 0.5, 0.5 }, 0.5, -1)]
    [InlineData(new[] { double.NaN, 0.99 }, 0.9, -1)]
    [InlineData(new double[0], 0.0, -1)]
    public void Votes_the_argmax_when_confident_else_abstains(double[] probabilities, double threshold, int expected)
    {
        var lf = new ModelLabelingFunction<int>("model", _ => probabilities, threshold);
        Assert.Equal(expected, lf.Vote(0));
        var single = new ModelLabelingFunction<int>("model_f", _ => probabilities.Select(p => (float)p).ToArray(), threshold);
        Assert.Equal(expected, single.Vote(0));
    }

    [Fact]
    public void Threshold_outside_unit_interval_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ModelLabelingFunction<int>("m", _ => new double[2], 1.5));
        Assert.Contains("threshold", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelLabelingFunction<int>("m", _ => new double[2], double.NaN));
        Assert.Throws<ArgumentException>(() => new ModelLabelingFunction<int>(" ", _ => new double[2]));
    }
}
