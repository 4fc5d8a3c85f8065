namespace Skein.Onnx;

/// <summary>Progress of a long <see cref="ISentenceEmbedder.Encode"/> call.</summary>
/// <param name="Done">Texts embedded so far.</param>
/// <param name="Total">Texts in the call.</param>
public readonly record struct EmbeddingProgress(int Done, int Total);

/// <summary>
/// Maps texts to fixed-size, L2-normalised vectors (so a dot product is a cosine similarity).
/// Implementations are thread-safe.
/// </summary>
public interface ISentenceEmbedder
{
    /// <summary>
    /// Identifies the model and every setting that changes its output (weights, vocabulary, truncation); two
    /// embedders with the same id give the same vector for the same text. Keys the on-disk cache.
    /// </summary>
    string ModelId { get; }

    /// <summary>Length of every vector (384 for all-MiniLM-L6-v2).</summary>
    int Dimension { get; }

    /// <summary>One vector per text, in the order of <paramref name="texts"/>.</summary>
    /// <param name="texts">The texts; none may be null (an empty text is fine).</param>
    /// <param name="progress">Told after each batch; optional.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns><c>texts.Count</c> arrays of <see cref="Dimension"/> floats, each of unit length.</returns>
    float[][] Encode(IReadOnlyList<string> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
