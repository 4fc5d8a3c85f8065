namespace Skein.Onnx.Tests;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skein-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_rerun_hits_the_cache_with_identical_bits_and_never_calls_the_model()
    {
        string[] texts = ["spam spam", "  spam \t spam\n", "ham", "eggs", "ham"];
        var model = new FakeEmbedder();
        var first = new CachedSentenceEmbedder(model, _dir).Encode(texts);
        Assert.Equal(1, model.Calls);
        Assert.Equal(3, model.TextsEmbedded); // whitespace variants and repeats are embedded once
        Assert.Equal(first[0], first[1]);

        var rerunModel = new FakeEmbedder();
        var rerun = new CachedSentenceEmbedder(rerunModel, _dir);
        var second = rerun.Encode(texts);
        Assert.Equal(0, rerunModel.Calls);
        Assert.Equal(5, rerun.Hits);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(first[i].Select(BitConverter.SingleToInt32Bits), second[i].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Returned_vectors_are_copies_so_callers_cannot_change_the_cache()
    {
        var cached = new CachedSentenceEmbedder(new FakeEmbedder(), _dir);
        cached.Encode(["a"])[0][0] = 42f;
        Assert.NotEqual(42f, cached.Encode(["a"])[0][0]);
    }

    [Fact]
    public void A_corrupt_record_is_skipped_and_recomputed()
    {
        var model = new FakeEmbedder();
        new CachedSentenceEmbedder(model, _dir).Encode(["one", "two", "three"]);
        var file = new EmbeddingCache(_dir, model.ModelId, model.Dimension).FilePath;
        var bytes = File.ReadAllBytes(file);
        bytes[^20] ^= 0x5A; // inside the last record's vector
        File.WriteAllBytes(file, bytes);

        var again = new FakeEmbedder();
        var cached = new CachedSentenceEmbedder(again, _dir);
        Assert.Equal(1, cached.Cache.DamagedRecords);
        var vectors = cached.Encode(["one", "two", "three"]);
        Assert.Equal(1, again.TextsEmbedded);
        Assert.Equal(model.Vector("three"), vectors[2]);
    }

    [Fact]
    public void A_truncated_file_keeps_its_whole_records_and_appends_stay_aligned()
    {
        var model = new FakeEmbedder();
        new CachedSentenceEmbedder(model, _dir).Encode(["one", "two"]);
        var file = new EmbeddingCache(_dir, model.ModelId, model.Dimension).FilePath;
        using (var s = new FileStream(file, FileMode.Open))
        {
            s.SetLength(s.Length - 10); // a writer that died mid-record
        }

        var second = new FakeEmbedder();
        var cached = new CachedSentenceEmbedder(second, _dir);
        Assert.Equal(1, cached.Cache.Count);
        cached.Encode(["one", "two", "four"]);
        Assert.Equal(2, second.TextsEmbedded);

        var third = new FakeEmbedder();
        var reloaded = new CachedSentenceEmbedder(third, _dir);
        Assert.Equal(0, reloaded.Cache.DamagedRecords);
        Assert.Equal(model.Vector("four"), reloaded.Encode(["one", "two", "four"])[2]);
        Assert.Equal(0, third.Calls);
    }

    [Fact]
    public void A_garbage_file_is_ignored_then_replaced()
    {
        var model = new FakeEmbedder();
        var file = new EmbeddingCache(_dir, model.ModelId, model.Dimension).FilePath;
        Directory.CreateDirectory(_dir);
        File.WriteAllBytes(file, [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))]);

        var cached = new CachedSentenceEmbedder(model, _dir);
        Assert.Equal(0, cached.Cache.Count);
        Assert.NotNull(cached.Cache.LastError);
        Assert.Equal(model.Vector("x"), cached.Encode(["x"])[0]);

        var again = new FakeEmbedder();
        new CachedSentenceEmbedder(again, _dir).Encode(["x"]);
        Assert.Equal(0, again.Calls);
    }

    [Fact]
    public void Another_model_id_or_dimension_gets_its_own_file()
    {
        new CachedSentenceEmbedder(new FakeEmbedder("fake/v1"), _dir).Encode(["x"]);
        var other = new FakeEmbedder("fake/v2");
        new CachedSentenceEmbedder(other, _dir).Encode(["x"]);
        Assert.Equal(1, other.Calls);
        Assert.Throws<ArgumentException>(() => new CachedSentenceEmbedder(other, new EmbeddingCache(_dir, "fake/v1", 8)));
    }

    [Fact]
    public async Task Readers_loading_while_a_writer_appends_see_only_whole_valid_records()
    {
        var model = new FakeEmbedder();
        var writer = new EmbeddingCache(_dir, model.ModelId, model.Dimension);
        var writing = Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                var text = "text " + i;
                writer.Add([text], [model.Vector(text)]);
            }
        });
        var errors = new List<string>();
        while (!writing.IsCompleted)
        {
            var reader = new EmbeddingCache(_dir, model.ModelId, model.Dimension);
            for (int i = 0; i < 200; i++)
            {
                if (reader.TryGet("text " + i, out var v) && !v.SequenceEqual(model.Vector("text " + i)))
                {
                    errors.Add("text " + i);
                }
            }
        }

        await writing;
        Assert.Empty(errors);
        Assert.Equal(200, new EmbeddingCache(_dir, model.ModelId, model.Dimension).Count);
    }

    [Theory]
    [InlineData("  a \t b\r\n c  ", "a b c")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void Normalisation_trims_and_collapses_bert_whitespace(string text, string expected) =>
        Assert.Equal(expected, EmbeddingCache.NormalizeText(text));
}
