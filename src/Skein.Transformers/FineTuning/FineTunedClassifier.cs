using Skein.Data;

namespace Skein.Transformers;

/// <summary>
/// A fitted classifier: the fine-tuned encoder and a linear head on its mean-pooled output. The head is copied and
/// immutable; the encoder is owned by the classifier from the fit on (do not train it further), and predicting is
/// thread-safe as far as the encoder's inference pass is.
/// </summary>
public sealed partial class FineTunedClassifier
{
    private readonly float[] _weight;
    private readonly float[] _bias;

    internal FineTunedClassifier(ITrainableEncoder encoder, float[] weight, float[] bias, int classes, int maxLength, int predictBatchSize, int seed)
    {
        Encoder = encoder;
        _weight = (float[])weight.Clone();
        _bias = (float[])bias.Clone();
        Classes = classes;
        MaxLength = maxLength;
        PredictBatchSize = predictBatchSize;
        Seed = seed;
    }

    /// <summary>The fine-tuned encoder.</summary>
    public ITrainableEncoder Encoder { get; }

    /// <summary>Number of classes, k.</summary>
    public int Classes { get; }

    /// <summary>Tokens per text used in training and prediction.</summary>
    public int MaxLength { get; }

    /// <summary>Rows per inference batch.</summary>
    public int PredictBatchSize { get; }

    /// <summary>The seed the fit used (the one given, or the one picked).</summary>
    public int Seed { get; }

    /// <summary>The head's weight, row-major [k, hidden] (a copy).</summary>
    public float[] HeadWeight => (float[])_weight.Clone();

    /// <summary>The head's bias [k] (a copy).</summary>
    public float[] HeadBias => (float[])_bias.Clone();

    /// <summary>Class probabilities (softmax of the head's logits), n×k.</summary>
    /// <exception cref="ArgumentException">No texts.</exception>
    public ProbabilisticLabels PredictProba(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            throw new ArgumentException("No texts to predict.", nameof(texts));
        }

        var values = ClassifierNetwork.Predict(Encoder, _weight, _bias, Classes, texts, MaxLength, PredictBatchSize, rowIds: null);
        return ProbabilisticLabels.FromRowMajor(values, Classes);
    }

    /// <summary>The most probable class of each text (ties to the lowest class).</summary>
    public int[] Predict(IReadOnlyList<string> texts) => PredictProba(texts).ArgMax();
}
