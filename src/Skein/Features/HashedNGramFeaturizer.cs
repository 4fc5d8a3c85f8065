using System.Buffers;
using System.Text;

namespace Skein.Features;

/// <summary>An inclusive n-gram length range, e.g. (1, 2) for unigrams and bigrams.</summary>
/// <param name="Min">Shortest n-gram, at least 1.</param>
/// <param name="Max">Longest n-gram, at least <paramref name="Min"/> and at most 16.</param>
public readonly record struct NGramRange(int Min, int Max);

/// <summary>Options of <see cref="HashedNGramFeaturizer"/>. The defaults suit short texts (comments, SMS, questions).</summary>
public sealed record HashedNGramOptions
{
    /// <summary>Word n-gram lengths; null turns word n-grams off. Default (1, 2).</summary>
    public NGramRange? WordNGrams { get; init; } = new NGramRange(1, 2);

    /// <summary>
    /// Character n-gram lengths, taken inside each whitespace-separated token padded with one space on each side
    /// (scikit-learn's <c>char_wb</c>); null turns them off. Default (2, 4).
    /// </summary>
    public NGramRange? CharNGrams { get; init; } = new NGramRange(2, 4);

    /// <summary>Number of hash buckets (feature columns), in [1, 2^24]. Default 2^18. The cap keeps a loaded
    /// (untrusted) model file from requesting gigabytes: a dense document-frequency and idf vector is kept per bucket.</summary>
    public int Dimension { get; init; } = 1 << 18;

    /// <summary>Lower-case the text (invariant culture) before tokenising. Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Replace a count c by sign(c)·(1 + ln |c|). Default true.</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>Multiply by the inverse document frequency fitted on the training texts. Default true.</summary>
    public bool UseIdf { get; init; } = true;

    /// <summary>idf = ln((1 + n)/(1 + df)) + 1 when true (as if one extra document held every term), else ln(n/df) + 1. Default true.</summary>
    public bool SmoothIdf { get; init; } = true;

    /// <summary>Scale every non-empty row to unit L2 norm. Default true.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>
    /// Signed hashing: an n-gram whose hash is negative adds −1 instead of +1, so colliding n-grams tend to cancel
    /// rather than pile up. Default true.
    /// </summary>
    public bool AlternateSign { get; init; } = true;
}

/// <summary>
/// Trainer for hashed word and character n-gram TF-IDF features: <see cref="Fit"/> counts document frequencies on
/// the training texts and returns an immutable <see cref="HashedNGramModel"/>. N-grams are hashed with MurmurHash3
/// (seed 0, UTF-8) — stable across processes and platforms — to |h| mod <see cref="HashedNGramOptions.Dimension"/>,
/// scikit-learn's <c>HashingVectorizer</c> indexing.
/// </summary>
public sealed class HashedNGramFeaturizer
{
    /// <summary>A featurizer with the default options.</summary>
    public HashedNGramFeaturizer()
        : this(new HashedNGramOptions())
    {
    }

    /// <summary>A featurizer with the given options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public HashedNGramFeaturizer(HashedNGramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;
    }

    /// <summary>The validated options.</summary>
    public HashedNGramOptions Options { get; }

    /// <summary>Fits the document frequencies of every bucket on <paramref name="texts"/>.</summary>
    /// <exception cref="ArgumentException">No texts, or a text is null.</exception>
    public HashedNGramModel Fit(IReadOnlyList<string> texts)
    {
        HashedNGramModel.RequireTexts(texts, requireRows: true);
        var df = new int[Options.Dimension];
        var buckets = new int[texts.Count][];
        Parallel.For(0, texts.Count, i => buckets[i] = HashedNGramModel.Count(texts[i], Options).Keys.ToArray());
        // Summed in text order: the same counts whatever the thread count.
        foreach (var row in buckets)
        {
            foreach (int j in row)
            {
                df[j]++;
            }
        }

        return new HashedNGramModel(Options, texts.Count, df);
    }

    internal static void Validate(HashedNGramOptions options)
    {
        static void CheckRange(NGramRange? range, string name)
        {
            if (range is { } r && (r.Min < 1 || r.Max < r.Min || r.Max > 16))
            {
                throw new ArgumentException(
                    $"HashedNGramOptions.{name} = ({r.Min}, {r.Max}); it needs 1 ≤ Min ≤ Max ≤ 16, or null for off.", nameof(options));
            }
        }

        CheckRange(options.WordNGrams, nameof(HashedNGramOptions.WordNGrams));
        CheckRange(options.CharNGrams, nameof(HashedNGramOptions.CharNGrams));
        if (options.WordNGrams is null && options.CharNGrams is null)
        {
            throw new ArgumentException("HashedNGramOptions.WordNGrams and CharNGrams are both null; turn at least one on.", nameof(options));
        }

        if (options.Dimension < 1 || options.Dimension > 1 << 24)
        {
            throw new ArgumentException($"HashedNGramOptions.Dimension = {options.Dimension}; it must be in [1, 2^24].", nameof(options));
        }
    }

    /// <summary>The bucket and sign of one n-gram, exactly as the featurizer maps it.</summary>
    internal static (int Index, float Sign) Bucket(ReadOnlySpan<char> gram, int dimension, bool alternateSign)
    {
        int max = Encoding.UTF8.GetMaxByteCount(gram.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        int length = Encoding.UTF8.GetBytes(gram, buffer);
        int h = unchecked((int)MurmurHash3.Hash(buffer[..length], 0));
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        int index = (int)(Math.Abs((long)h) % dimension);
        return (index, alternateSign && h < 0 ? -1f : 1f);
    }
}
