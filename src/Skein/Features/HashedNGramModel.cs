using System.Text;
using System.Text.Json;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.Features;

/// <summary>
/// A fitted hashed n-gram TF-IDF featurizer (from <see cref="HashedNGramFeaturizer.Fit"/> or <see cref="Load"/>):
/// turns texts into rows of a <see cref="SparseMatrix"/>. Immutable and thread-safe.
/// </summary>
public sealed class HashedNGramModel
{
    /// <summary>The value of the "format" field of a saved featurizer.</summary>
    public const string FormatName = "skein.hashed-ngrams";

    /// <summary>The version of the saved format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly int[] _documentFrequencies;
    private readonly float[] _idf;

    internal HashedNGramModel(HashedNGramOptions options, int documentCount, int[] documentFrequencies)
    {
        Options = options;
        DocumentCount = documentCount;
        _documentFrequencies = documentFrequencies;
        _idf = new float[documentFrequencies.Length];
        for (int j = 0; j < _idf.Length; j++)
        {
            double df = documentFrequencies[j], n = documentCount;
            _idf[j] = !options.UseIdf ? 1f
                : options.SmoothIdf ? (float)(Math.Log((1 + n) / (1 + df)) + 1)
                : df == 0 ? 1f : (float)(Math.Log(n / df) + 1);
        }
    }

    /// <summary>The options it was fitted with.</summary>
    public HashedNGramOptions Options { get; }

    /// <summary>Number of training texts.</summary>
    public int DocumentCount { get; }

    /// <summary>Number of feature columns (<see cref="HashedNGramOptions.Dimension"/>).</summary>
    public int Dimension => _idf.Length;

    /// <summary>The inverse document frequency of every bucket (all 1 when idf is off).</summary>
    public ReadOnlySpan<float> Idf => _idf;

    /// <summary>The bucket (column) and sign (±1) an n-gram string is hashed to, for inspecting features.</summary>
    public (int Index, float Sign) BucketOf(string ngram)
    {
        ArgumentNullException.ThrowIfNull(ngram);
        return HashedNGramFeaturizer.Bucket(ngram, Dimension, Options.AlternateSign);
    }

    /// <summary>The TF-IDF rows of <paramref name="texts"/> (an empty list gives a 0×d matrix).</summary>
    /// <exception cref="ArgumentException">A text is null.</exception>
    public SparseMatrix Transform(IReadOnlyList<string> texts)
    {
        RequireTexts(texts, requireRows: false);
        var columns = new int[texts.Count][];
        var values = new float[texts.Count][];
        Parallel.For(0, texts.Count, i => (columns[i], values[i]) = Vectorize(texts[i]));
        var pointers = new int[texts.Count + 1];
        for (int i = 0; i < texts.Count; i++)
        {
            pointers[i + 1] = checked(pointers[i] + columns[i].Length);
        }

        var allColumns = new int[pointers[^1]];
        var allValues = new float[pointers[^1]];
        for (int i = 0; i < texts.Count; i++)
        {
            columns[i].CopyTo(allColumns, pointers[i]);
            values[i].CopyTo(allValues, pointers[i]);
        }

        return SparseMatrix.Wrap(pointers, allColumns, allValues, Dimension);
    }

    /// <summary>Writes the options and document frequencies as versioned JSON (only non-zero frequencies).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = ModelJson.WriteHeader(stream, FormatName, FormatVersion);
        WriteRange(writer, "wordNGrams", Options.WordNGrams);
        WriteRange(writer, "charNGrams", Options.CharNGrams);
        writer.WriteNumber("dimension", Dimension);
        writer.WriteBoolean("lowercase", Options.Lowercase);
        writer.WriteBoolean("sublinearTf", Options.SublinearTf);
        writer.WriteBoolean("useIdf", Options.UseIdf);
        writer.WriteBoolean("smoothIdf", Options.SmoothIdf);
        writer.WriteBoolean("normalize", Options.Normalize);
        writer.WriteBoolean("alternateSign", Options.AlternateSign);
        writer.WriteNumber("documentCount", DocumentCount);
        // Buckets with df > 0 as index/count pairs: the idf is recomputed from them bit for bit on load.
        writer.WriteStartArray("documentFrequencies");
        for (int j = 0; j < _documentFrequencies.Length; j++)
        {
            if (_documentFrequencies[j] != 0)
            {
                writer.WriteNumberValue(j);
                writer.WriteNumberValue(_documentFrequencies[j]);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads a featurizer written by <see cref="Save"/>.</summary>
    /// <exception cref="DataFormatException">The JSON is malformed, of another format or version, or inconsistent.</exception>
    public static HashedNGramModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelJson.Read(() => LoadCore(stream));
    }

    private static HashedNGramModel LoadCore(Stream stream)
    {
        using var document = ModelJson.ParseHeader(stream, FormatName, FormatVersion);
        var root = document.RootElement;
        var options = new HashedNGramOptions
        {
            WordNGrams = ReadRange(root, "wordNGrams"),
            CharNGrams = ReadRange(root, "charNGrams"),
            Dimension = ModelJson.GetInt(root, "dimension"),
            Lowercase = ModelJson.GetBool(root, "lowercase"),
            SublinearTf = ModelJson.GetBool(root, "sublinearTf"),
            UseIdf = ModelJson.GetBool(root, "useIdf"),
            SmoothIdf = ModelJson.GetBool(root, "smoothIdf"),
            Normalize = ModelJson.GetBool(root, "normalize"),
            AlternateSign = ModelJson.GetBool(root, "alternateSign"),
        };
        try
        {
            HashedNGramFeaturizer.Validate(options);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(e.Message, inner: e);
        }

        int n = ModelJson.GetInt(root, "documentCount");
        var pairs = ModelJson.GetProperty(root, "documentFrequencies");
        if (n < 1 || pairs.ValueKind != JsonValueKind.Array || pairs.GetArrayLength() % 2 != 0)
        {
            throw new DataFormatException("'documentCount' must be ≥ 1 and 'documentFrequencies' an array of index/count pairs.",
                column: "documentFrequencies");
        }

        var df = new int[options.Dimension];
        using var items = pairs.EnumerateArray();
        while (items.MoveNext())
        {
            var indexItem = items.Current;
            items.MoveNext();
            if (indexItem.ValueKind != JsonValueKind.Number || items.Current.ValueKind != JsonValueKind.Number
                || !indexItem.TryGetInt32(out int index) || !items.Current.TryGetInt32(out int count)
                || index < 0 || index >= df.Length || count < 1 || count > n)
            {
                throw new DataFormatException("Bad index/count pair in 'documentFrequencies'.", column: "documentFrequencies");
            }

            df[index] = count;
        }

        return new HashedNGramModel(options, n, df);
    }

    internal static void RequireTexts(IReadOnlyList<string> texts, bool requireRows)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (requireRows && texts.Count == 0)
        {
            throw new ArgumentException("Cannot fit a featurizer on no texts.", nameof(texts));
        }

        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"Text {i} is null.", nameof(texts));
            }
        }
    }

    /// <summary>Signed n-gram counts of one text, by bucket (zero sums from cancelling collisions removed).</summary>
    internal static Dictionary<int, float> Count(string text, HashedNGramOptions options)
    {
        var counts = new Dictionary<int, float>();
        var source = options.Lowercase ? text.ToLowerInvariant() : text;
        void Add(ReadOnlySpan<char> gram)
        {
            var (index, sign) = HashedNGramFeaturizer.Bucket(gram, options.Dimension, options.AlternateSign);
            counts[index] = counts.GetValueOrDefault(index) + sign;
        }

        if (options.WordNGrams is { } words)
        {
            var tokens = WordTokens(source);
            var joined = new StringBuilder();
            for (int i = 0; i < tokens.Count; i++)
            {
                joined.Clear();
                for (int n = 1; n <= words.Max && i + n <= tokens.Count; n++)
                {
                    if (n > 1)
                    {
                        joined.Append(' ');
                    }

                    joined.Append(source, tokens[i + n - 1].Start, tokens[i + n - 1].Length);
                    if (n >= words.Min)
                    {
                        Add(joined.ToString());
                    }
                }
            }
        }

        if (options.CharNGrams is { } chars)
        {
            foreach (var token in source.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var padded = $" {token} ";
                for (int n = chars.Min; n <= chars.Max; n++)
                {
                    if (padded.Length <= n)
                    {
                        // A padded token no longer than n is one n-gram, counted once (as scikit-learn's char_wb).
                        Add(padded);
                        break;
                    }

                    for (int start = 0; start + n <= padded.Length; start++)
                    {
                        Add(padded.AsSpan(start, n));
                    }
                }
            }
        }

        foreach (var key in counts.Where(p => p.Value == 0).Select(p => p.Key).ToList())
        {
            counts.Remove(key);
        }

        return counts;
    }

    /// <summary>Maximal runs of letters, digits, marks and '_' (the \w of regular expressions).</summary>
    private static List<(int Start, int Length)> WordTokens(string text)
    {
        var tokens = new List<(int, int)>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool word = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'
                || char.GetUnicodeCategory(text[i]) is System.Globalization.UnicodeCategory.NonSpacingMark
                    or System.Globalization.UnicodeCategory.SpacingCombiningMark);
            if (word && start < 0)
            {
                start = i;
            }
            else if (!word && start >= 0)
            {
                tokens.Add((start, i - start));
                start = -1;
            }
        }

        return tokens;
    }

    private (int[] Columns, float[] Values) Vectorize(string text)
    {
        var counts = Count(text, Options);
        var columns = counts.Keys.ToArray();
        Array.Sort(columns);
        var values = new float[columns.Length];
        double norm = 0;
        for (int p = 0; p < columns.Length; p++)
        {
            float c = counts[columns[p]];
            float tf = Options.SublinearTf ? MathF.CopySign(1 + MathF.Log(MathF.Abs(c)), c) : c;
            values[p] = tf * _idf[columns[p]];
            norm += (double)values[p] * values[p];
        }

        if (Options.Normalize && norm > 0)
        {
            float scale = (float)(1 / Math.Sqrt(norm));
            for (int p = 0; p < values.Length; p++)
            {
                values[p] *= scale;
            }
        }

        return (columns, values);
    }

    private static void WriteRange(Utf8JsonWriter writer, string name, NGramRange? range)
    {
        if (range is { } r)
        {
            writer.WriteStartArray(name);
            writer.WriteNumberValue(r.Min);
            writer.WriteNumberValue(r.Max);
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static NGramRange? ReadRange(JsonElement root, string name)
    {
        var value = ModelJson.GetProperty(root, name);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2
            || value[0].ValueKind != JsonValueKind.Number || value[1].ValueKind != JsonValueKind.Number
            || !value[0].TryGetInt32(out int min) || !value[1].TryGetInt32(out int max))
        {
            throw new DataFormatException($"Field '{name}' must be null or [min, max].", column: name);
        }

        return new NGramRange(min, max);
    }
}
