namespace Skein.Transformers.Tests;

public sealed class FrozenLayerTests
{
    private static readonly BertConfig Config = BertEncoderGradientTests.Tiny with { Layers = 3 };

    [Fact]
    public void Frozen_parameters_are_not_trainable()
    {
        var encoder = BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { FrozenLayers = 2, Threads = 1 });
        Assert.Equal(16, encoder.TrainableParameters.Count);
        Assert.All(encoder.TrainableParameters, p => Assert.StartsWith("encoder.layer.2.", p.Name, StringComparison.Ordinal));
        Assert.Equal(5 + (3 * 16), encoder.Parameters.Count);
        Assert.Throws<ArgumentException>(() => BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { FrozenLayers = 4 }));
    }

    [Fact]
    public void Cached_frozen_outputs_give_the_same_pooled_output_and_gradients()
    {
        var cached = BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { FrozenLayers = 2, Threads = 1 });
        var uncached = BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { FrozenLayers = 2, Threads = 1, CacheFrozenOutputs = false });
        var w = GradientCheck.Random(3 * Config.Hidden, 2);
        var full = BertEncoderGradientTests.TinyBatch([10, 11, 12]);
        // First a batch with rows 11 and 12 only (fills part of the cache), then the full batch (one miss, two hits).
        var partial = new TokenBatch(2, 5, full.InputIds[5..], full.AttentionMask[5..], [11, 12]);
        cached.Forward(partial, true, 5);
        Assert.Equal(2, cached.CachedRows);
        for (int step = 0; step < 2; step++)
        {
            var a = cached.Forward(full, true, 7);
            var b = uncached.Forward(full, true, 7);
            Assert.Equal(b.Pooled, a.Pooled);
            cached.Backward(a, w);
            uncached.Backward(b, w);
        }

        Assert.Equal(3, cached.CachedRows);
        Assert.Equal(12L * Config.Hidden * sizeof(float), cached.CachedBytes);
        for (int i = 0; i < cached.TrainableParameters.Count; i++)
        {
            Assert.Equal(uncached.TrainableParameters[i].Gradient, cached.TrainableParameters[i].Gradient);
        }
    }

    [Fact]
    public void Frozen_stack_runs_without_dropout_and_matches_the_unfrozen_encoder_at_inference()
    {
        var frozen = BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { FrozenLayers = 3, Threads = 1 });
        var free = BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { Threads = 1 });
        var batch = BertEncoderGradientTests.TinyBatch([0, 1, 2]);
        Assert.Equal(free.Forward(batch, false, 0).Pooled, frozen.Forward(batch, true, 3).Pooled);
        Assert.Empty(frozen.TrainableParameters);
    }

    [Fact]
    public void A_row_id_reused_for_other_tokens_is_an_error()
    {
        var encoder = BertEncoder.CreateRandom(Config, 1, new BertEncoderOptions { FrozenLayers = 1, Threads = 1 });
        var batch = BertEncoderGradientTests.TinyBatch([0, 1, 2]);
        encoder.Forward(batch, false, 0);
        var other = batch with { InputIds = [.. batch.InputIds.Select(i => i == 0 ? 0 : (i % 39) + 1)] };
        var error = Assert.Throws<ArgumentException>(() => encoder.Forward(other, false, 0));
        Assert.Contains("row id 0", error.Message, StringComparison.Ordinal);
        encoder.ClearCache();
        Assert.Equal(0, encoder.CachedRows);
        encoder.Forward(other, false, 0);
    }
}
