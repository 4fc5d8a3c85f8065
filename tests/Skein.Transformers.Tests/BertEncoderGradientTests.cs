namespace Skein.Transformers.Tests;

public sealed class BertEncoderGradientTests
{
    internal static readonly BertConfig Tiny = new(Layers: 2, Hidden: 8, Heads: 2, Intermediate: 16, VocabularySize: 40, MaxPositions: 6);

    /// <summary>Three rows padded to 5 tokens: lengths 5, 3 and 4.</summary>
    internal static TokenBatch TinyBatch(int[]? rowIds = null)
    {
        int[] lengths = [5, 3, 4];
        var ids = new int[15];
        var mask = new int[15];
        var random = new Random(3);
        for (int r = 0; r < 3; r++)
        {
            for (int t = 0; t < lengths[r]; t++)
            {
                ids[(r * 5) + t] = random.Next(1, 40);
                mask[(r * 5) + t] = 1;
            }
        }

        return new TokenBatch(3, 5, ids, mask, rowIds);
    }

    [Theory]
    [InlineData("embeddings.", 0f)]
    [InlineData(".attention.self.", 0f)]
    [InlineData(".attention.output.", 0f)]
    [InlineData(".intermediate.", 0f)]
    [InlineData(".output.", 0f)]
    [InlineData("", 0.2f)]
    public void Encoder_gradients_match_finite_differences(string group, float dropout)
    {
        var encoder = BertEncoder.CreateRandom(Tiny, 1, new BertEncoderOptions { Threads = 1, HiddenDropout = dropout, AttentionDropout = dropout });
        var batch = TinyBatch();
        var w = GradientCheck.Random(3 * Tiny.Hidden, 21);
        // The masks come from the seed, so the loss is a deterministic function of the weights even with dropout.
        double Loss() => GradientCheck.WeightedSum(encoder.Forward(batch, true, 99).Pooled, w);
        var pass = encoder.Forward(batch, true, 99);
        encoder.Backward(pass, w);
        var random = new Random(5);
        int checkedTensors = 0;
        foreach (var p in encoder.TrainableParameters.Where(p => p.Name.Contains(group, StringComparison.Ordinal)
            && !(group == ".output." && p.Name.Contains("attention", StringComparison.Ordinal))))
        {
            // The word table: only rows of ids in the batch have gradients; check some of both kinds.
            var indices = Enumerable.Range(0, 12).Select(_ => random.Next(p.Value.Length))
                .Concat(p.Name.Contains("word", StringComparison.Ordinal) ? Enumerable.Range(batch.InputIds[0] * 8, 8) : []);
            // Dropout scales activations by 1/(1 − p), which makes the loss more curved: a smaller step keeps the
            // finite difference's truncation error below the tolerance.
            GradientCheck.Check(p.Name, p.Value, p.Gradient, Loss, indices, h: dropout > 0 ? 4e-3f : 1e-2f);
            checkedTensors++;
        }

        Assert.True(checkedTensors >= 2);
    }

    [Fact]
    public void Padding_ids_and_neighbouring_rows_do_not_change_a_row()
    {
        var encoder = BertEncoder.CreateRandom(Tiny, 2, new BertEncoderOptions { Threads = 1 });
        var batch = TinyBatch();
        var pooled = encoder.Forward(batch, false, 0).Pooled;
        var noisyPadding = batch with { InputIds = [.. batch.InputIds.Select((id, i) => batch.AttentionMask[i] == 0 ? 39 : id)] };
        Assert.Equal(pooled, encoder.Forward(noisyPadding, false, 0).Pooled);
        // Row 1 alone, padded to its own length.
        var alone = new TokenBatch(1, 3, batch.InputIds[5..8], [1, 1, 1]);
        Assert.Equal(pooled[8..16], encoder.Forward(alone, false, 0).Pooled);
    }

    [Fact]
    public void Same_seed_gives_the_same_bits_at_any_thread_count()
    {
        var config = new BertConfig(Layers: 2, Hidden: 64, Heads: 4, Intermediate: 128, VocabularySize: 50, MaxPositions: 16);
        var random = new Random(8);
        var batch = new TokenBatch(8, 12, [.. Enumerable.Range(0, 96).Select(_ => random.Next(50))], [.. Enumerable.Repeat(1, 96)]);
        (float[] Pooled, float[][] Gradients) Run(int threads)
        {
            var encoder = BertEncoder.CreateRandom(config, 3, new BertEncoderOptions { Threads = threads }, scale: 0.1f);
            var pass = encoder.Forward(batch, true, 1234);
            encoder.Backward(pass, GradientCheck.Random(8 * 64, 4));
            return (pass.Pooled, [.. encoder.TrainableParameters.Select(p => p.Gradient)]);
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Pooled, two.Pooled);
        for (int i = 0; i < one.Gradients.Length; i++)
        {
            Assert.Equal(one.Gradients[i], two.Gradients[i]);
        }
    }

    [Fact]
    public void Dropout_changes_with_the_seed_and_is_off_at_inference()
    {
        var encoder = BertEncoder.CreateRandom(Tiny, 4, new BertEncoderOptions { Threads = 1 });
        var batch = TinyBatch();
        var eval = encoder.Forward(batch, false, 1).Pooled;
        Assert.Equal(eval, encoder.Forward(batch, false, 2).Pooled);
        var a = encoder.Forward(batch, true, 1).Pooled;
        Assert.Equal(a, encoder.Forward(batch, true, 1).Pooled);
        Assert.NotEqual(a, encoder.Forward(batch, true, 2).Pooled);
        Assert.NotEqual(a, eval);
    }

    [Fact]
    public void Backward_rejects_an_inference_pass()
    {
        var encoder = BertEncoder.CreateRandom(Tiny, 4, new BertEncoderOptions { Threads = 1 });
        var pass = encoder.Forward(TinyBatch(), false, 1);
        Assert.Throws<ArgumentException>(() => encoder.Backward(pass, new float[24]));
    }
}
