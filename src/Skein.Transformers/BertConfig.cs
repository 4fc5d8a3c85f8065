namespace Skein.Transformers;

/// <summary>
/// The shape of a BERT encoder: post-LayerNorm blocks, absolute position embeddings, exact (erf) GELU, token type 0.
/// all-MiniLM-L6-v2 is 6 layers, hidden 384, 12 heads, FFN 1536, vocabulary 30522, 512 positions.
/// </summary>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Hidden">Hidden width.</param>
/// <param name="Heads">Attention heads; must divide <paramref name="Hidden"/>.</param>
/// <param name="Intermediate">Width of the feed-forward layer.</param>
/// <param name="VocabularySize">Rows of the word-embedding table.</param>
/// <param name="MaxPositions">Rows of the position-embedding table: the longest input in tokens.</param>
/// <param name="TypeVocabularySize">Rows of the token-type table (only type 0 is used).</param>
/// <param name="LayerNormEpsilon">LayerNorm's ε (1e-12 for BERT and MiniLM).</param>
public sealed record BertConfig(
    int Layers,
    int Hidden,
    int Heads,
    int Intermediate,
    int VocabularySize,
    int MaxPositions,
    int TypeVocabularySize = 2,
    float LayerNormEpsilon = 1e-12f)
{
    /// <summary>Width of one attention head.</summary>
    public int HeadSize => Hidden / Heads;

    /// <summary>Checks every dimension; called by the encoder's constructors.</summary>
    /// <exception cref="ArgumentException">A dimension is out of range or the heads do not divide the hidden width.</exception>
    public void Validate()
    {
        Check(Layers, nameof(Layers));
        Check(Hidden, nameof(Hidden));
        Check(Heads, nameof(Heads));
        Check(Intermediate, nameof(Intermediate));
        Check(VocabularySize, nameof(VocabularySize));
        Check(MaxPositions, nameof(MaxPositions));
        Check(TypeVocabularySize, nameof(TypeVocabularySize));
        if (Hidden % Heads != 0)
        {
            throw new ArgumentException($"{nameof(BertConfig)}: {Heads} heads do not divide hidden width {Hidden}.", nameof(Heads));
        }

        if (!(LayerNormEpsilon >= 0f) || float.IsInfinity(LayerNormEpsilon))
        {
            throw new ArgumentException($"{nameof(BertConfig)}.{nameof(LayerNormEpsilon)} must be finite and ≥ 0.", nameof(LayerNormEpsilon));
        }
    }

    private static void Check(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{nameof(BertConfig)}.{name} must be ≥ 1, not {value}.", name);
        }
    }
}
