namespace Skein.Onnx;

/// <summary>
/// An <see cref="ISentenceEmbedder"/> that answers from an <see cref="EmbeddingCache"/> and asks the inner
/// embedder only for texts it has not seen (each distinct text once), then stores those. Thread-safe.
/// Does not dispose the inner embedder.
/// </summary>
public sealed class CachedSentenceEmbedder : ISentenceEmbedder
{
    private readonly ISentenceEmbedder _inner;
    private long _hits;
    private long _misses;

    /// <summary>Caches <paramref name="inner"/>'s vectors in <paramref name="cacheDirectory"/>.</summary>
    public CachedSentenceEmbedder(ISentenceEmbedder inner, string cacheDirectory)
        : this(inner, new EmbeddingCache(cacheDirectory, (inner ?? throw new ArgumentNullException(nameof(inner))).ModelId,
            inner.Dimension))
    {
    }

    /// <summary>Caches <paramref name="inner"/>'s vectors in <paramref name="cache"/>, which must be for the same model.</summary>
    /// <exception cref="ArgumentException">The cache belongs to another model id or dimension.</exception>
    public CachedSentenceEmbedder(ISentenceEmbedder inner, EmbeddingCache cache)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(cache);
        if (cache.ModelId != inner.ModelId || cache.Dimension != inner.Dimension)
        {
            throw new ArgumentException(
                $"The cache is for '{cache.ModelId}' ({cache.Dimension}-d), the embedder is '{inner.ModelId}' ({inner.Dimension}-d).",
                nameof(cache));
        }

        _inner = inner;
        Cache = cache;
    }

    /// <summary>The cache in use.</summary>
    public EmbeddingCache Cache { get; }

    /// <inheritdoc />
    public string ModelId => _inner.ModelId;

    /// <inheritdoc />
    public int Dimension => _inner.Dimension;

    /// <summary>Texts answered from the cache so far.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Texts that were not in the cache so far (duplicates within a call count once each).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <inheritdoc />
    public float[][] Encode(IReadOnlyList<string> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        // Distinct normalised missing texts → the rows waiting for them.
        var missing = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"Text {i} is null; embed an empty string instead.", nameof(texts));
            }

            if (Cache.TryGet(texts[i], out var vector))
            {
                result[i] = vector;
                continue;
            }

            var normalized = EmbeddingCache.NormalizeText(texts[i]);
            if (!missing.TryGetValue(normalized, out var rows))
            {
                missing[normalized] = rows = [];
            }

            rows.Add(i);
        }

        int hits = texts.Count - missing.Values.Sum(r => r.Count);
        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, missing.Count);
        if (missing.Count > 0)
        {
            var queries = missing.Keys.ToArray();
            var inner = progress is null ? null : new OffsetProgress(progress, hits, texts.Count, queries.Length);
            var vectors = _inner.Encode(queries, inner, cancellationToken);
            Cache.Add(queries, vectors);
            for (int q = 0; q < queries.Length; q++)
            {
                var rows = missing[queries[q]];
                result[rows[0]] = vectors[q];
                for (int r = 1; r < rows.Count; r++)
                {
                    result[rows[r]] = (float[])vectors[q].Clone();
                }
            }
        }

        progress?.Report(new EmbeddingProgress(texts.Count, texts.Count));
        return result;
    }

    /// <summary>Maps the inner call's progress over distinct misses onto the outer call's texts.</summary>
    private sealed class OffsetProgress(IProgress<EmbeddingProgress> outer, int hits, int total, int queries)
        : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value)
        {
            if (value.Done < queries)
            {
                outer.Report(new EmbeddingProgress(hits + (int)((long)value.Done * (total - hits) / queries), total));
            }
        }
    }
}
