using Skein.EndModels;
using Skein.Features;

namespace Skein.Training;

/// <summary>
/// The text models <c>skein w2s</c> and the weak-to-strong example offer by name, apart from the sentence embeddings
/// (which live in Skein.Onnx and are passed in by the caller).
/// </summary>
public static class WeakToStrongPresets
{
    /// <summary>
    /// A deliberately weak view: word unigrams hashed into 2^12 buckets, sublinear TF, L2-normalised, no IDF (so the
    /// map is fixed and sees nothing of other texts).
    /// </summary>
    public static HashedNGramOptions SmallBagOfWords { get; } = new()
    {
        WordNGrams = new NGramRange(1, 1),
        CharNGrams = null,
        Dimension = 1 << 12,
        UseIdf = false,
    };

    /// <summary>Rows per minibatch of the MLP students: the repo hardens its confidence loss over a logical batch of 32.</summary>
    public const int StudentBatchSize = 32;

    /// <summary>
    /// Epochs of the MLP models (ceiling and students alike): 10, chosen on development splits of the training data of
    /// Sentiment140 and AG News (see docs/weak-to-strong.md), never on a test set.
    /// </summary>
    public const int MlpEpochs = 10;

    /// <summary>Texts as <see cref="SmallBagOfWords"/> features.</summary>
    public static SparseMatrix BagOfWords(IReadOnlyList<string> texts) => new HashedNGramFeaturizer(SmallBagOfWords).Fit(texts).Transform(texts);

    /// <summary>L2 softmax regression with its defaults (λ = 1e-4, L-BFGS up to 200 iterations).</summary>
    public static SoftmaxRegression Softmax(int seed) => new(new SoftmaxRegressionOptions { Seed = seed });

    /// <summary>One hidden layer of 256 ReLU units, dropout 0.1, Adam 1e-3, <see cref="StudentBatchSize"/> rows per batch, <see cref="MlpEpochs"/> epochs.</summary>
    public static Mlp Mlp(int seed) => new(new MlpOptions { Seed = seed, BatchSize = StudentBatchSize, Epochs = MlpEpochs });
}
