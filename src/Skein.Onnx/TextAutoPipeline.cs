using Skein.Features;
using Skein.Labeling;
using Skein.Pipeline;

namespace Skein.Onnx;

/// <summary>A text with its sentence embedding, computed once and shared by the zero-shot LF and the features.</summary>
/// <param name="Text">The text.</param>
/// <param name="Embedding">Its embedding (unit length for the bundled MiniLM).</param>
public sealed record EmbeddedText(string Text, float[] Embedding);

/// <summary>
/// <see cref="AutoPipeline"/> for text with sentence embeddings: text LFs plus an optional zero-shot LF over the
/// embeddings, and end-model features that put the embeddings next to hashed word/char n-gram TF-IDF. This is the flow
/// <c>skein demo</c> runs:
/// <code>
/// using var embedder = new SentenceEmbedder();
/// var train = TextAutoPipeline.Embed(embedder, trainTexts);
/// var fitted = TextAutoPipeline.For(lfs, 2, embedder, prototypes)
///     .WithDev(TextAutoPipeline.Embed(embedder, devTexts), devGold)
///     .WithSeed(1)
///     .Fit(train);
/// int[] predicted = fitted.Predict(TextAutoPipeline.Embed(embedder, newTexts));
/// </code>
/// </summary>
public static class TextAutoPipeline
{
    /// <summary>
    /// Hashed n-gram buckets next to the embeddings (2^14). On the YouTube dev split (seed 1) the MLP on embeddings +
    /// n-grams beat either feature set alone (0.915 TF-IDF, 0.858 MiniLM, at 2^16 buckets); 2^14 buckets cost 0.01 on
    /// dev but train 4× faster (Adam touches every first-layer weight).
    /// </summary>
    public const int DefaultNGramDimension = 1 << 14;

    /// <summary>The feature view's name in selection tables.</summary>
    public const string FeaturesName = "embeddings+tfidf";

    /// <summary>The zero-shot LF's default name.</summary>
    public const string DefaultZeroShotName = "zero_shot_minilm";

    /// <summary>
    /// Zero-shot LF settings: vote when the best class leads by 0.05, however low its cosine. Chosen on the bundled
    /// YouTube videos only: majority vote over the 7 keyword LFs plus this one, leaving each video out in turn, averaged
    /// 0.870 with these settings against 0.855 with <see cref="PrototypeOptions"/>' defaults plus a 0.1 margin (margins
    /// 0–0.15 and least similarities 0 / 0.2 were tried).
    /// </summary>
    public static PrototypeOptions ZeroShotOptions { get; } = new() { Margin = 0.05, MinSimilarity = 0 };

    /// <summary>Embeds texts in one batched pass.</summary>
    /// <exception cref="ArgumentException">A text is null.</exception>
    public static EmbeddedText[] Embed(ISentenceEmbedder embedder, IReadOnlyList<string> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Any(t => t is null))
        {
            throw new ArgumentException("A text is null.", nameof(texts));
        }

        var vectors = embedder.Encode(texts, progress, cancellationToken);
        return [.. texts.Select((t, i) => new EmbeddedText(t, vectors[i]))];
    }

    /// <summary>Embeddings first, then hashed n-gram TF-IDF of the text (fitted on the train texts), as one sparse matrix.</summary>
    /// <param name="ngrams">The n-gram settings; default <see cref="DefaultNGramDimension"/> buckets.</param>
    public static IFeaturizer<EmbeddedText> EmbeddingsAndNGrams(HashedNGramOptions? ngrams = null) =>
        Featurizer.Concat(Featurizer.Dense<EmbeddedText>(x => x.Embedding),
            Featurizer.TfIdf<EmbeddedText>(x => x.Text, ngrams ?? new HashedNGramOptions { Dimension = DefaultNGramDimension }));

    /// <summary>
    /// An <see cref="AutoPipeline"/> over embedded texts: <paramref name="labelingFunctions"/> read the text; with
    /// <paramref name="zeroShot"/> classes, a zero-shot LF (<see cref="ZeroShotOptions"/>) votes on the embedding; the
    /// end model sees <see cref="EmbeddingsAndNGrams"/>.
    /// </summary>
    /// <param name="labelingFunctions">Text LFs.</param>
    /// <param name="cardinality">k.</param>
    /// <param name="embedder">Embeds the zero-shot class texts (the items come embedded).</param>
    /// <param name="zeroShot">Class descriptions for a zero-shot LF, or null for none.</param>
    /// <param name="zeroShotName">The zero-shot LF's name.</param>
    /// <exception cref="ArgumentException">No LFs, duplicate names, k out of range, or invalid prototypes.</exception>
    public static AutoPipelineBuilder<EmbeddedText> For(IEnumerable<ILabelingFunction<string>> labelingFunctions, int cardinality,
        ISentenceEmbedder embedder, IReadOnlyList<ClassPrototype>? zeroShot = null, string zeroShotName = DefaultZeroShotName)
    {
        ArgumentNullException.ThrowIfNull(labelingFunctions);
        ArgumentNullException.ThrowIfNull(embedder);
        var lfs = labelingFunctions.Select(lf => lf is null
            ? throw new ArgumentException("A labeling function is null.", nameof(labelingFunctions))
            : LabelingFunction.Create<EmbeddedText>(lf.Name, x => lf.Vote(x.Text))).ToList();
        if (zeroShot is not null)
        {
            var prototype = EmbeddingPrototypeLabelingFunction.Create(zeroShotName, embedder, zeroShot, ZeroShotOptions);
            lfs.Add(LabelingFunction.Create<EmbeddedText>(prototype.Name, x => prototype.Vote(x.Embedding)));
        }

        return AutoPipeline.For(lfs, cardinality).WithFeatures(FeaturesName, EmbeddingsAndNGrams());
    }
}
