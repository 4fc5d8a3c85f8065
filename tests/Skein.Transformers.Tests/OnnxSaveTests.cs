using Skein.Onnx;
using Skein.Transformers.Onnx;

namespace Skein.Transformers.Tests;

public sealed class OnnxSaveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skein-encoder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saved_model_with_perturbed_weights_runs_on_onnx_runtime_with_the_same_embeddings()
    {
        var encoder = BertEncoder.LoadBundled(new BertEncoderOptions { Threads = 1 });
        var texts = MiniLmFixture.Comments(12);
        var before = encoder.Encode(texts[..1])[0];
        var random = new Random(17);
        // Perturb every tensor of the last block, the embedding LayerNorm and a few word rows.
        foreach (var p in encoder.Parameters.Where(p => p.Name.StartsWith("encoder.layer.5.", StringComparison.Ordinal)
            || p.Name.StartsWith("embeddings.LayerNorm", StringComparison.Ordinal)))
        {
            for (int i = 0; i < p.Value.Length; i++)
            {
                p.Value[i] += (float)((random.NextDouble() - 0.5) * 0.05);
            }
        }

        var original = BundledMiniLm.ModelBytes();
        string model = Path.Combine(_dir, "model.onnx"), vocab = Path.Combine(_dir, "vocab.txt");
        encoder.SaveOnnx(model);
        encoder.SaveVocabulary(vocab);
        var saved = File.ReadAllBytes(model);
        Assert.Equal(original.Length, saved.Length);
        Assert.NotEqual(original, saved);

        // Outside the initializer payloads every byte is the original's.
        var parsed = OnnxModel.Parse(original, "original");
        int at = 0;
        foreach (var init in parsed.Initializers.Values.Where(i => i.DataLength > 0).OrderBy(i => i.DataOffset))
        {
            Assert.True(original.AsSpan(at, init.DataOffset - at).SequenceEqual(saved.AsSpan(at, init.DataOffset - at)),
                $"bytes before initializer '{init.Name}' changed");
            at = init.DataOffset + init.DataLength;
        }

        Assert.True(original.AsSpan(at).SequenceEqual(saved.AsSpan(at)));

        using var onnx = new SentenceEmbedder(new SentenceEmbedderOptions { IntraOpNumThreads = 1, ModelPath = model, VocabularyPath = vocab });
        var expected = onnx.Encode(texts);
        var actual = encoder.Encode(texts);
        float worst = 0f;
        for (int i = 0; i < texts.Length; i++)
        {
            worst = Math.Max(worst, expected[i].Zip(actual[i], (a, b) => Math.Abs(a - b)).Max());
        }

        Assert.True(worst < 1e-4f, $"max |managed − ORT| = {worst}");
        // And the perturbation was large enough to matter.
        Assert.True(before.Zip(expected[0], (a, b) => Math.Abs(a - b)).Max() > 1e-3f);
    }

    [Fact]
    public void Random_encoder_cannot_be_saved()
    {
        var encoder = BertEncoder.CreateRandom(BertEncoderGradientTests.Tiny, 1);
        Assert.Throws<InvalidOperationException>(() => encoder.SaveOnnx(Path.Combine(_dir, "x.onnx")));
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }
}
