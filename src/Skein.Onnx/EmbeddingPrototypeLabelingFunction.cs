using System.Numerics.Tensors;
using Skein.Data;
using Skein.Labeling;

namespace Skein.Onnx;

/// <summary>One class of a zero-shot LF: its label and texts that describe or exemplify it.</summary>
/// <param name="Label">The class index voted, in [0, <see cref="LabelMatrix.MaxCardinality"/>).</param>
/// <param name="Texts">Descriptions ("a comment asking people to subscribe to a channel") and/or a few example
/// texts; their normalised embeddings are averaged into the class prototype.</param>
public sealed record ClassPrototype(int Label, IReadOnlyList<string> Texts)
{
    /// <summary>A class from a label and its texts.</summary>
    public static ClassPrototype Of(int label, params string[] texts) => new(label, texts);
}

/// <summary>Options of an <see cref="EmbeddingPrototypeLabelingFunction"/>; validated once, at creation.</summary>
public sealed record PrototypeOptions
{
    /// <summary>
    /// Least lead of the best class's cosine over the second best's for a vote, in [0, 2]. Default 0.05: MiniLM
    /// cosines of a short text with class descriptions differ by a few hundredths when it fits neither.
    /// </summary>
    public double Margin { get; init; } = 0.05;

    /// <summary>Least cosine with the best class's prototype for a vote, in [-1, 1]. Default 0.2.</summary>
    public double MinSimilarity { get; init; } = 0.2;

    internal void Validate()
    {
        if (!(Margin is >= 0 and <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(Margin), Margin, $"{nameof(PrototypeOptions)}.{nameof(Margin)} must be in [0, 2].");
        }

        if (!(MinSimilarity is >= -1 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinSimilarity), MinSimilarity,
                $"{nameof(PrototypeOptions)}.{nameof(MinSimilarity)} must be in [-1, 1].");
        }
    }
}

/// <summary>
/// A zero-shot labeling function over sentence embeddings: each class has a prototype (the re-normalised mean
/// of its texts' embeddings); an item's embedding votes the class of highest cosine when that cosine is at
/// least <see cref="PrototypeOptions.MinSimilarity"/> and leads the second best by at least
/// <see cref="PrototypeOptions.Margin"/>, else abstains.
/// </summary>
/// <remarks>
/// <see cref="ILabelingFunction{T}.Vote"/> is called per item, but the model is fast only in batches. So the LF
/// itself votes on embeddings, and <see cref="Over{T}"/> / <see cref="OverRows"/> adapt it to items: they embed
/// all known items in one batched pass up front (or take embeddings computed once and shared by several LFs)
/// and look them up when voting. Thread-safe.
/// </remarks>
public sealed class EmbeddingPrototypeLabelingFunction : ILabelingFunction<float[]>
{
    private readonly ISentenceEmbedder _embedder;
    private readonly int[] _labels;
    private readonly float[][] _prototypes;

    private EmbeddingPrototypeLabelingFunction(string name, ISentenceEmbedder embedder, int[] labels, float[][] prototypes,
        PrototypeOptions options)
    {
        Name = name;
        _embedder = embedder;
        _labels = labels;
        _prototypes = prototypes;
        Options = options;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The validated options.</summary>
    public PrototypeOptions Options { get; }

    /// <summary>The class labels, in the order the classes were given.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>Embeds every class's texts (one batched call) and builds the prototypes.</summary>
    /// <param name="name">The LF's name.</param>
    /// <param name="embedder">Embeds the class texts now and, later, any item not embedded up front.</param>
    /// <param name="classes">At least one class; labels distinct; each with at least one non-empty text.</param>
    /// <param name="options">Margin and least similarity.</param>
    /// <exception cref="ArgumentException">An empty name, no classes, a repeated or out-of-range label, a class without text, or an option out of range.</exception>
    public static EmbeddingPrototypeLabelingFunction Create(string name, ISentenceEmbedder embedder,
        IEnumerable<ClassPrototype> classes, PrototypeOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An LF needs a non-empty name.", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(classes);
        options ??= new PrototypeOptions();
        options.Validate();
        var list = classes.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"LF '{name}' needs at least one class.", nameof(classes));
        }

        var seen = new HashSet<int>();
        foreach (var c in list)
        {
            if (c is null || c.Label < 0 || c.Label >= LabelMatrix.MaxCardinality)
            {
                throw new ArgumentException($"LF '{name}': class labels must be in [0, {LabelMatrix.MaxCardinality}).", nameof(classes));
            }

            if (!seen.Add(c.Label))
            {
                throw new ArgumentException($"LF '{name}': label {c.Label} is given twice.", nameof(classes));
            }

            if (c.Texts is null || c.Texts.Count == 0 || c.Texts.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException($"LF '{name}': class {c.Label} needs at least one text and no empty ones.", nameof(classes));
            }
        }

        var vectors = embedder.Encode([.. list.SelectMany(c => c.Texts)]);
        var prototypes = new float[list.Length][];
        int row = 0;
        for (int k = 0; k < list.Length; k++)
        {
            var p = new float[embedder.Dimension];
            foreach (var _ in list[k].Texts)
            {
                // Each embedding is unit length, so every text weighs the same in the mean.
                TensorPrimitives.Add(p, vectors[row++], p);
            }

            float norm = TensorPrimitives.Norm<float>(p);
            TensorPrimitives.Divide(p, MathF.Max(norm, 1e-12f), p);
            prototypes[k] = p;
        }

        return new EmbeddingPrototypeLabelingFunction(name, embedder, [.. list.Select(c => c.Label)], prototypes, options);
    }

    /// <summary>A copy of the prototype of <paramref name="label"/>.</summary>
    /// <exception cref="KeyNotFoundException">No class has that label.</exception>
    public float[] Prototype(int label)
    {
        int k = Array.IndexOf(_labels, label);
        return k >= 0 ? (float[])_prototypes[k].Clone() : throw new KeyNotFoundException($"LF '{Name}' has no class {label}.");
    }

    /// <summary>Cosine of <paramref name="embedding"/> with each prototype, in <see cref="Labels"/> order.</summary>
    public double[] Similarities(ReadOnlySpan<float> embedding)
    {
        CheckDimension(embedding);
        var result = new double[_prototypes.Length];
        for (int k = 0; k < result.Length; k++)
        {
            result[k] = TensorPrimitives.CosineSimilarity(embedding, _prototypes[k]);
        }

        return result;
    }

    /// <summary>The vote for an item with this embedding: a class label, or <see cref="LabelingFunction.Abstain"/>.</summary>
    /// <exception cref="ArgumentException">The embedding's length is not the embedder's dimension.</exception>
    public int Vote(ReadOnlySpan<float> embedding)
    {
        CheckDimension(embedding);
        int best = -1;
        double top = double.NegativeInfinity, second = double.NegativeInfinity;
        for (int k = 0; k < _prototypes.Length; k++)
        {
            double s = TensorPrimitives.CosineSimilarity(embedding, _prototypes[k]);
            if (double.IsNaN(s))
            {
                return LabelingFunction.Abstain;
            }

            if (s > top)
            {
                (second, top, best) = (top, s, k);
            }
            else if (s > second)
            {
                second = s;
            }
        }

        // With one class there is no runner-up and only MinSimilarity applies.
        bool leads = _prototypes.Length == 1 || top - second >= Options.Margin;
        return top >= Options.MinSimilarity && leads ? _labels[best] : LabelingFunction.Abstain;
    }

    /// <inheritdoc />
    public int Vote(float[] item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Vote(item.AsSpan());
    }

    /// <summary>
    /// This LF over items: embeds the texts of <paramref name="items"/> now in one batched call (or takes
    /// <paramref name="embeddings"/>, aligned with the items, to share one pass among several LFs), then votes
    /// by lookup. An item not in <paramref name="items"/> (by <see cref="EqualityComparer{T}.Default"/>) is
    /// embedded on its own when voted on: correct, but slow if it happens often.
    /// </summary>
    /// <exception cref="ArgumentException">Embeddings given whose count or dimension does not match.</exception>
    public ILabelingFunction<T> Over<T>(IReadOnlyList<T> items, Func<T, string?> text, IReadOnlyList<float[]>? embeddings = null,
        IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(text);
        embeddings ??= _embedder.Encode([.. items.Select(i => text(i) ?? "")], progress, cancellationToken);
        CheckRows(embeddings, items.Count);
        var rows = new Dictionary<T, int>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            rows.TryAdd(items[i], i);
        }

        return new ItemLabelingFunction<T>(this, rows, embeddings, text);
    }

    /// <summary>This LF over row indices into <paramref name="embeddings"/> (e.g. a label matrix's rows).</summary>
    /// <exception cref="ArgumentException">A row has the wrong dimension.</exception>
    public ILabelingFunction<int> OverRows(IReadOnlyList<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        CheckRows(embeddings, embeddings.Count);
        return new RowLabelingFunction(this, embeddings);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: prototypes of classes [{string.Join(", ", _labels)}]";

    private void CheckDimension(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != _embedder.Dimension)
        {
            throw new ArgumentException($"LF '{Name}': an embedding has {embedding.Length} values, expected {_embedder.Dimension}.",
                nameof(embedding));
        }
    }

    private void CheckRows(IReadOnlyList<float[]> embeddings, int expected)
    {
        if (embeddings.Count != expected)
        {
            throw new ArgumentException($"LF '{Name}': {embeddings.Count} embeddings for {expected} items.", nameof(embeddings));
        }

        for (int i = 0; i < embeddings.Count; i++)
        {
            if (embeddings[i]?.Length != _embedder.Dimension)
            {
                throw new ArgumentException($"LF '{Name}': embedding {i} must hold {_embedder.Dimension} values.", nameof(embeddings));
            }
        }
    }

    private sealed class ItemLabelingFunction<T>(EmbeddingPrototypeLabelingFunction lf, Dictionary<T, int> rows,
        IReadOnlyList<float[]> embeddings, Func<T, string?> text) : ILabelingFunction<T>
        where T : notnull
    {
        public string Name => lf.Name;

        public int Vote(T item) => rows.TryGetValue(item, out int row)
            ? lf.Vote(embeddings[row])
            : lf.Vote(lf._embedder.Encode([text(item) ?? ""])[0]);

        public override string ToString() => lf.ToString();
    }

    private sealed class RowLabelingFunction(EmbeddingPrototypeLabelingFunction lf, IReadOnlyList<float[]> embeddings)
        : ILabelingFunction<int>
    {
        public string Name => lf.Name;

        public int Vote(int item) => lf.Vote(embeddings[item]);

        public override string ToString() => lf.ToString();
    }
}
