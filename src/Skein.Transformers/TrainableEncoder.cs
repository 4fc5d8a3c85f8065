namespace Skein.Transformers;

/// <summary>
/// One trainable tensor of a model: its values, the gradient accumulated for them, and whether AdamW's decoupled
/// weight decay applies to it (BERT fine-tuning exempts biases and LayerNorm parameters).
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter over <paramref name="value"/> (not copied) with a zeroed gradient.</summary>
    /// <param name="name">The parameter's name, e.g. <c>encoder.layer.0.attention.self.query.weight</c>.</param>
    /// <param name="value">The values, row-major in the layout of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions; their product must equal the length of <paramref name="value"/>.</param>
    /// <param name="applyWeightDecay">Whether AdamW's weight decay applies.</param>
    public Parameter(string name, float[] value, int[] shape, bool applyWeightDecay)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(shape);
        long product = 1;
        foreach (int dimension in shape)
        {
            product = checked(product * dimension);
        }

        if (product != value.Length)
        {
            throw new ArgumentException(
                $"Parameter '{name}': shape [{string.Join(", ", shape)}] holds {product} values, not {value.Length}.",
                nameof(shape));
        }

        Name = name;
        Value = value;
        Shape = shape;
        ApplyWeightDecay = applyWeightDecay;
        Gradient = new float[value.Length];
    }

    /// <summary>The parameter's name.</summary>
    public string Name { get; }

    /// <summary>The values (updated in place by optimisers).</summary>
    public float[] Value { get; }

    /// <summary>The gradient accumulated by backward passes since it was last cleared.</summary>
    public float[] Gradient { get; }

    /// <summary>The dimensions of <see cref="Value"/>.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Whether AdamW's decoupled weight decay applies to this parameter.</summary>
    public bool ApplyWeightDecay { get; }

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Array.Clear(Gradient);
}

/// <summary>
/// Token ids of a minibatch, padded to its longest row, row-major [<see cref="BatchSize"/>, <see cref="SequenceLength"/>].
/// </summary>
/// <param name="BatchSize">Rows in the batch.</param>
/// <param name="SequenceLength">Tokens per row after padding (including [CLS] and [SEP]).</param>
/// <param name="InputIds">Word-piece ids; padding positions hold 0.</param>
/// <param name="AttentionMask">1 for a real token, 0 for padding.</param>
/// <param name="RowIds">
/// Optional stable identifiers of the rows (e.g. their index in the training set), used by encoders that cache the
/// outputs of frozen layers; <see langword="null"/> disables caching for this batch.
/// </param>
public sealed record TokenBatch(int BatchSize, int SequenceLength, int[] InputIds, int[] AttentionMask, int[]? RowIds = null)
{
    /// <summary>Rows that the tokenizer truncated to the maximum length (0 when none was, or when not known).</summary>
    public int TruncatedRows { get; init; }
}

/// <summary>
/// The result of one forward pass: the mean-pooled (not normalised) sentence representations
/// [<see cref="BatchSize"/>, <see cref="HiddenSize"/>], plus whatever the encoder keeps for its backward pass.
/// </summary>
public abstract class EncoderPass
{
    /// <summary>Creates a pass result.</summary>
    protected EncoderPass(int batchSize, int hiddenSize, float[] pooled)
    {
        BatchSize = batchSize;
        HiddenSize = hiddenSize;
        Pooled = pooled;
    }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Width of each pooled representation.</summary>
    public int HiddenSize { get; }

    /// <summary>Mean-pooled representations over the attention mask, row-major [batch, hidden].</summary>
    public float[] Pooled { get; }
}

/// <summary>
/// An encoder that maps texts to pooled vectors and back-propagates a gradient on those vectors into its parameters.
/// The fine-tuning trainers (classifier, COSINE) are written against this contract, so they run on the managed BERT
/// encoder and, in tests, on small stand-ins.
/// </summary>
/// <remarks>
/// Implementations must be deterministic: the same parameters, batch and dropout seed give the same bits whatever the
/// number of threads used.
/// </remarks>
public interface ITrainableEncoder
{
    /// <summary>Width of the pooled representation.</summary>
    int HiddenSize { get; }

    /// <summary>The parameters that training updates (frozen ones are not listed).</summary>
    IReadOnlyList<Parameter> TrainableParameters { get; }

    /// <summary>Tokenizes <paramref name="texts"/> into one padded batch, truncating each to <paramref name="maxLength"/> tokens.</summary>
    TokenBatch Tokenize(IReadOnlyList<string> texts, int maxLength);

    /// <summary>
    /// Runs the encoder. With <paramref name="training"/> true, dropout is applied with masks drawn from
    /// <paramref name="dropoutSeed"/> and the activations needed by <see cref="Backward"/> are kept.
    /// </summary>
    EncoderPass Forward(TokenBatch batch, bool training, ulong dropoutSeed);

    /// <summary>
    /// Accumulates into each trainable parameter's <see cref="Parameter.Gradient"/> the gradient of a loss whose
    /// gradient with respect to <see cref="EncoderPass.Pooled"/> is <paramref name="pooledGradient"/>.
    /// </summary>
    void Backward(EncoderPass pass, ReadOnlySpan<float> pooledGradient);
}
