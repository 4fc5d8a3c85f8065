namespace Skein.Transformers;

/// <summary>Run-time options of <see cref="BertEncoder"/>; validated when the encoder is created.</summary>
public sealed record BertEncoderOptions
{
    /// <summary>
    /// Threads the matrix products and attention use. Default <see cref="Environment.ProcessorCount"/>. The bits
    /// of every result are the same for any value.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Dropout on the embeddings and on each block's two residual branches during training. Default 0.1 (BERT).</summary>
    public float HiddenDropout { get; init; } = 0.1f;

    /// <summary>Dropout on the attention probabilities during training. Default 0.1 (BERT).</summary>
    public float AttentionDropout { get; init; } = 0.1f;

    /// <summary>
    /// Bottom transformer blocks to freeze; with 1 or more the embeddings are frozen too. Default 0 (everything
    /// trains). Frozen parts run as at inference (no dropout) and are not listed in
    /// <see cref="BertEncoder.TrainableParameters"/>.
    /// </summary>
    public int FrozenLayers { get; init; }

    /// <summary>
    /// With <see cref="FrozenLayers"/> ≥ 1, keep the output of the frozen stack for every row a
    /// <see cref="TokenBatch"/> names in <see cref="TokenBatch.RowIds"/>, so later epochs start at the first trainable
    /// block. Memory: 4 × hidden bytes per token (1.5 KB per token for MiniLM; ≈ 46 KB for a 30-token comment, ≈ 90 MB
    /// for 60,000 tokens). Default true.
    /// </summary>
    public bool CacheFrozenOutputs { get; init; } = true;

    internal void Validate()
    {
        if (Threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, $"{nameof(BertEncoderOptions)}.{nameof(Threads)} must be ≥ 1.");
        }

        if (!(HiddenDropout is >= 0f and < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(HiddenDropout), HiddenDropout, $"{nameof(BertEncoderOptions)}.{nameof(HiddenDropout)} must be in [0, 1).");
        }

        if (FrozenLayers < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FrozenLayers), FrozenLayers, $"{nameof(BertEncoderOptions)}.{nameof(FrozenLayers)} must be ≥ 0.");
        }

        if (!(AttentionDropout is >= 0f and < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(AttentionDropout), AttentionDropout, $"{nameof(BertEncoderOptions)}.{nameof(AttentionDropout)} must be in [0, 1).");
        }
    }
}
