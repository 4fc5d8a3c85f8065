using Skein.Transformers.Onnx;

namespace Skein.Transformers.Tests;

[Collection(MiniLmGroup.Name)]
public sealed class BertEncoderMiniLmTests(MiniLmFixture fixture)
{
    [Fact]
    public void Bundled_graph_maps_to_the_minilm_configuration()
    {
        var c = fixture.Encoder.Config;
        Assert.Equal(new BertConfig(6, 384, 12, 1536, 30522, 512, 2, c.LayerNormEpsilon), c);
        Assert.InRange(c.LayerNormEpsilon, 0.99e-12f, 1.01e-12f);
        Assert.Equal(5 + (6 * 16), fixture.Encoder.Parameters.Count);
        Assert.Same(fixture.Encoder.Parameters, fixture.Encoder.TrainableParameters);
    }

    [Fact]
    public void Layout_follows_the_graph_not_the_numeric_names()
    {
        var bytes = BundledMiniLm.ModelBytes();
        var layout = BertOnnxLayout.Discover(OnnxModel.Parse(bytes, "minilm"), bytes, "minilm");
        // Verified by reading the graph: block 0 consumes 927 (Q), 928 (K), 931 (V), 937, 938, 939.
        var l0 = layout.Layers[0];
        Assert.Equal(["927", "928", "931", "937", "938", "939"],
            [l0.QueryWeight, l0.KeyWeight, l0.ValueWeight, l0.AttentionOutputWeight, l0.IntermediateWeight, l0.OutputWeight]);
        Assert.Equal("encoder.layer.5.output.LayerNorm.bias", layout.Layers[5].OutputNormBias);
    }

    [Fact]
    public void Embeddings_match_onnx_runtime_on_youtube_comments()
    {
        var texts = MiniLmFixture.Comments(30);
        var expected = fixture.Onnx.Encode(texts);
        var actual = fixture.Encoder.Encode(texts, batchSize: 8);
        float worst = 0f;
        for (int i = 0; i < texts.Length; i++)
        {
            for (int j = 0; j < expected[i].Length; j++)
            {
                worst = Math.Max(worst, Math.Abs(expected[i][j] - actual[i][j]));
            }
        }

        Assert.True(worst < 1e-4f, $"max |managed − ORT| = {worst}");
    }

    [Fact]
    public void Token_ids_match_the_onnx_embedder_and_truncation_is_counted_once_per_text()
    {
        var texts = new[] { "Héllo, world!", "naïve café", string.Join(' ', Enumerable.Repeat("movie", 600)) };
        int before = fixture.Encoder.TruncatedTexts;
        var batch = fixture.Encoder.Tokenize(texts, 256);
        Assert.Equal(1, batch.TruncatedRows);
        Assert.Equal(before + 1, fixture.Encoder.TruncatedTexts);
        Assert.Equal(256, batch.SequenceLength);
        for (int r = 0; r < texts.Length; r++)
        {
            var expected = fixture.Onnx.TokenIds(texts[r]);
            var row = batch.InputIds.AsSpan(r * batch.SequenceLength, expected.Length).ToArray();
            Assert.Equal(expected, row.Select(i => (long)i));
            Assert.Equal(expected.Length, batch.AttentionMask.AsSpan(r * 256, 256).ToArray().Sum());
        }
    }
}
