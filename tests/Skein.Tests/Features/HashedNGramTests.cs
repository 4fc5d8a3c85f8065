using System.Text;
using Skein.Features;
using Skein.IO;

namespace Skein.Tests.Features;

public sealed class HashedNGramTests
{
    private static readonly HashedNGramOptions WordsOnly = new()
    {
        WordNGrams = new NGramRange(1, 1),
        CharNGrams = null,
        AlternateSign = false,
        SublinearTf = false,
    };

    [Theory]
    [InlineData("foo", 0u, 4138058784u)] // scikit-learn's test_murmurhash vectors
    [InlineData("foo", 42u, 2972666014u)]
    [InlineData("", 0u, 0u)]
    [InlineData("", 1u, 0x514E28B7u)]
    public void MurmurHash3_matches_published_vectors(string text, uint seed, uint expected) =>
        Assert.Equal(expected, MurmurHash3.Hash(Encoding.UTF8.GetBytes(text), seed));

    [Theory]
    // Hard-coded so a change of hash, encoding or index rule (or string.GetHashCode sneaking in) fails here.
    [InlineData("hello", 260679, 1f)]
    [InlineData("hello world", 167695, 1f)]
    [InlineData(" he", 49804, 1f)]
    [InlineData("check out", 111113, 1f)]
    [InlineData("subscribe", 225279, -1f)]
    [InlineData("the", 24734, -1f)]
    public void Buckets_are_stable_across_processes(string gram, int index, float sign)
    {
        var model = new HashedNGramFeaturizer().Fit(["x"]);
        Assert.Equal((index, sign), model.BucketOf(gram));
    }

    [Fact]
    public void Tfidf_on_a_toy_corpus_matches_hand_computation()
    {
        string[] docs = ["a b", "a c", "a a d"];
        var model = new HashedNGramFeaturizer(WordsOnly).Fit(docs);
        int a = model.BucketOf("a").Index, b = model.BucketOf("b").Index, d = model.BucketOf("d").Index;
        Assert.Equal(4, new[] { a, b, model.BucketOf("c").Index, d }.Distinct().Count());

        // n = 3; df(a) = 3 → idf = ln(4/4) + 1 = 1; df(d) = 1 → idf = ln(4/2) + 1 = 1.6931472.
        Assert.Equal(1f, model.Idf[a], 6);
        Assert.Equal(1.6931472f, model.Idf[d], 6);
        Assert.Equal(1f + MathF.Log(4), model.Idf[12345], 6); // unseen bucket: df = 0

        var x = model.Transform(docs);
        // "a a d": (2·1, 1·1.6931472) / ‖·‖ = (0.7632283, 0.6461289).
        Assert.Equal(0.7632283f, x[2, a], 6);
        Assert.Equal(0.6461289f, x[2, d], 6);
        Assert.Equal(2, x.RowColumns(2).Length);
        // "a b": (1, 1.6931472) / ‖·‖.
        Assert.Equal(1 / MathF.Sqrt(1 + (1.6931472f * 1.6931472f)), x[0, a], 6);
    }

    [Fact]
    public void Sublinear_tf_and_no_idf_give_equal_weights_for_one_and_two_counts_scaled()
    {
        var model = new HashedNGramFeaturizer(WordsOnly with { SublinearTf = true }).Fit(["a b", "a c", "a a d"]);
        var x = model.Transform(["a a d"]);
        // tf(a) = 1 + ln 2 = 1.6931472 = idf(d): both entries equal.
        Assert.Equal(MathF.Sqrt(0.5f), x[0, model.BucketOf("a").Index], 6);
        Assert.Equal(MathF.Sqrt(0.5f), x[0, model.BucketOf("d").Index], 6);
    }

    [Fact]
    public void Signed_hashing_negates_negative_hash_buckets()
    {
        var options = WordsOnly with { UseIdf = false, Normalize = false, AlternateSign = true };
        var model = new HashedNGramFeaturizer(options).Fit(["x"]);
        var x = model.Transform(["subscribe hello"]);
        Assert.Equal(-1f, x[0, 225279]);
        Assert.Equal(1f, x[0, 260679]);
    }

    [Fact]
    public void Word_bigrams_and_char_wb_ngrams_are_produced()
    {
        var options = new HashedNGramOptions { CharNGrams = new NGramRange(2, 3), UseIdf = false, Normalize = false, AlternateSign = false };
        var model = new HashedNGramFeaturizer(options).Fit(["x"]);
        var x = model.Transform(["Hello World"]);
        Assert.Equal(1f, x[0, model.BucketOf("hello world").Index]);
        Assert.Equal(1f, x[0, model.BucketOf(" he").Index]);
        Assert.Equal(1f, x[0, model.BucketOf("ld ").Index]);
        // Short token: " a " is one 3-gram and no longer ones; its 2-grams " a", "a " exist.
        var y = model.Transform(["a"]);
        Assert.Equal(1f, y[0, model.BucketOf(" a ").Index]);
        Assert.Equal(1f, y[0, model.BucketOf(" a").Index]);
    }

    [Fact]
    public void Rows_are_unit_norm_and_empty_text_is_an_empty_row()
    {
        var model = new HashedNGramFeaturizer().Fit(["check out my channel", "great song"]);
        var x = model.Transform(["check out my channel!!", "", "zzz"]);
        Assert.Equal(3, x.RowCount);
        Assert.Equal(1 << 18, x.ColumnCount);
        Assert.Equal(1.0, x.RowValues(0).ToArray().Sum(v => (double)v * v), 5);
        Assert.Equal(0, x.RowColumns(1).Length);
        Assert.Equal(1.0, x.RowValues(2).ToArray().Sum(v => (double)v * v), 5);
    }

    [Fact]
    public void Save_and_load_give_the_same_features()
    {
        string[] texts = ["check out my channel", "great song love it", "subscribe to me please"];
        var model = new HashedNGramFeaturizer().Fit(texts);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = HashedNGramModel.Load(stream);

        Assert.True(model.Idf.SequenceEqual(loaded.Idf));
        Assert.Equal(model.Options, loaded.Options);
        var a = model.Transform(texts);
        var b = loaded.Transform(texts);
        Assert.True(a.Values.SequenceEqual(b.Values));
        Assert.True(a.ColumnIndices.SequenceEqual(b.ColumnIndices));
    }

    [Fact]
    public void Load_rejects_another_format()
    {
        using var stream = new MemoryStream("{\"format\":\"skein.end-model\",\"version\":1}"u8.ToArray());
        var error = Assert.Throws<DataFormatException>(() => HashedNGramModel.Load(stream));
        Assert.Contains("skein.hashed-ngrams", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_validated_with_the_option_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new HashedNGramFeaturizer(new HashedNGramOptions { Dimension = 0 }));
        Assert.Contains("HashedNGramOptions.Dimension", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new HashedNGramFeaturizer(new HashedNGramOptions { CharNGrams = new NGramRange(3, 2) }));
        Assert.Contains("HashedNGramOptions.CharNGrams", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new HashedNGramFeaturizer().Fit([]));
    }
}
