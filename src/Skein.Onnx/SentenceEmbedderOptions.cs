namespace Skein.Onnx;

/// <summary>Options of <see cref="SentenceEmbedder"/>; validated once, when the embedder is created.</summary>
public sealed record SentenceEmbedderOptions
{
    /// <summary>
    /// Threads ONNX Runtime uses inside one batch. Default: <see cref="Environment.ProcessorCount"/>. Set 1 when
    /// several embedders or test processes share few cores.
    /// </summary>
    public int IntraOpNumThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Let ONNX Runtime's idle intra-op threads spin for work between operators. Default true (ONNX Runtime's
    /// default): fastest with two free cores (487 vs 315–323 sent/s measured). Set false on a box crowded by
    /// other busy processes, where spinning threads take the cores the work needs (at load ≈ 6 on 2 cores:
    /// 140 sent/s spinning, 189 not). See docs/embeddings.md.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>
    /// Texts per model call. Default 16: on short texts (YouTube comments, 27 word pieces on average) batches
    /// of 8–16 ran 5–20 % faster per CPU-second than 32 or 64 (the activations stay in cache); see
    /// docs/embeddings.md.
    /// </summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Texts sorted by token count together, so each batch holds texts of similar length and pads little; the
    /// output order is always the input order. Default 1024; 1 or less disables sorting.
    /// </summary>
    public int SortWindow { get; init; } = 1024;

    /// <summary>
    /// Word pieces per text, [CLS] and [SEP] included; longer texts are truncated. Default 256, the
    /// <c>max_seq_length</c> of sentence-transformers' all-MiniLM-L6-v2 (the model itself accepts 512).
    /// </summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>An ONNX file to use instead of the bundled all-MiniLM-L6-v2; needs <see cref="VocabularyPath"/> too.</summary>
    public string? ModelPath { get; init; }

    /// <summary>A BERT uncased <c>vocab.txt</c> to use with <see cref="ModelPath"/>.</summary>
    public string? VocabularyPath { get; init; }

    internal void Validate()
    {
        if (IntraOpNumThreads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), IntraOpNumThreads,
                $"{nameof(SentenceEmbedderOptions)}.{nameof(IntraOpNumThreads)} must be ≥ 1.");
        }

        if (BatchSize is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                $"{nameof(SentenceEmbedderOptions)}.{nameof(BatchSize)} must be in [1, 4096].");
        }

        if (MaxTokens is < 2 or > 512)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens,
                $"{nameof(SentenceEmbedderOptions)}.{nameof(MaxTokens)} must be in [2, 512] (the model's position limit).");
        }

        if ((ModelPath is null) != (VocabularyPath is null))
        {
            throw new ArgumentException(
                $"{nameof(SentenceEmbedderOptions)}.{nameof(ModelPath)} and {nameof(VocabularyPath)} must be set together.",
                ModelPath is null ? nameof(ModelPath) : nameof(VocabularyPath));
        }
    }
}
