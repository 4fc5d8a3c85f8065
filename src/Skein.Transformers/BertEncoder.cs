using System.Numerics.Tensors;
using System.Text;
using FastBertTokenizer;
using Skein.Onnx;
using Skein.Transformers.Kernels;
using Skein.Transformers.Onnx;

namespace Skein.Transformers;

/// <summary>
/// A BERT encoder (post-LayerNorm, absolute positions, exact GELU, token type 0) in managed float32 code with a
/// hand-written backward pass, loaded from an ONNX export such as the bundled all-MiniLM-L6-v2. Its pooled output is
/// the attention-masked mean of the last hidden states, as sentence-transformers computes it.
/// </summary>
/// <remarks>
/// Not thread-safe: one forward/backward at a time (each call uses <see cref="BertEncoderOptions.Threads"/> threads
/// inside). Results are bit-identical for any thread count and any batch composition.
/// </remarks>
public sealed partial class BertEncoder : ITrainableEncoder
{
    private readonly EmbeddingWeights _embeddings;
    private readonly LayerWeights[] _layers;
    private readonly Parameter[] _all;
    private readonly Parameter[] _trainable;
    private readonly BertTokenizer? _tokenizer;
    private readonly byte[]? _vocabulary;
    private readonly int _padId;
    private readonly Func<byte[]>? _modelSource;
    private readonly string _sourceName;
    private readonly Dictionary<int, CachedRow> _cache = [];
    private long _cachedFloats;
    private int _truncated;

    private BertEncoder(BertConfig config, BertEncoderOptions options, Func<string, int[], bool, Parameter> make,
        byte[]? vocabulary, Func<byte[]>? modelSource, string sourceName)
    {
        config.Validate();
        options ??= new BertEncoderOptions();
        options.Validate();
        if (options.FrozenLayers > config.Layers)
        {
            throw new ArgumentException(
                $"{nameof(BertEncoderOptions)}.{nameof(BertEncoderOptions.FrozenLayers)} is {options.FrozenLayers}; the encoder has {config.Layers} blocks.",
                nameof(options));
        }

        Config = config;
        Options = options;
        _modelSource = modelSource;
        _sourceName = sourceName;
        int h = config.Hidden, f = config.Intermediate;
        _embeddings = new EmbeddingWeights(
            make("embeddings.word_embeddings.weight", [config.VocabularySize, h], true),
            make("embeddings.position_embeddings.weight", [config.MaxPositions, h], true),
            make("embeddings.token_type_embeddings.weight", [config.TypeVocabularySize, h], true),
            make("embeddings.LayerNorm.weight", [h], false),
            make("embeddings.LayerNorm.bias", [h], false));
        _layers = new LayerWeights[config.Layers];
        for (int l = 0; l < config.Layers; l++)
        {
            string p = $"encoder.layer.{l}.";
            // Dense weights are kept [in, out] as the ONNX export stores them (the transpose of nn.Linear.weight).
            _layers[l] = new LayerWeights(
                make(p + "attention.self.query.weight", [h, h], true), make(p + "attention.self.query.bias", [h], false),
                make(p + "attention.self.key.weight", [h, h], true), make(p + "attention.self.key.bias", [h], false),
                make(p + "attention.self.value.weight", [h, h], true), make(p + "attention.self.value.bias", [h], false),
                make(p + "attention.output.dense.weight", [h, h], true), make(p + "attention.output.dense.bias", [h], false),
                make(p + "attention.output.LayerNorm.weight", [h], false), make(p + "attention.output.LayerNorm.bias", [h], false),
                make(p + "intermediate.dense.weight", [h, f], true), make(p + "intermediate.dense.bias", [f], false),
                make(p + "output.dense.weight", [f, h], true), make(p + "output.dense.bias", [h], false),
                make(p + "output.LayerNorm.weight", [h], false), make(p + "output.LayerNorm.bias", [h], false));
        }

        _all = [.. _embeddings.All, .. _layers.SelectMany(l => l.All)];
        _trainable = options.FrozenLayers == 0
            ? _all
            : [.. _layers.Skip(options.FrozenLayers).SelectMany(l => l.All)];

        if (vocabulary is not null)
        {
            var lines = VocabularyLines(vocabulary, config, sourceName);
            _padId = Math.Max(0, lines.IndexOf("[PAD]"));
            _tokenizer = new BertTokenizer();
            using var reader = new StreamReader(new MemoryStream(vocabulary), Encoding.UTF8);
            _tokenizer.LoadVocabulary(reader, convertInputToLowercase: true);
            _vocabulary = vocabulary;
        }
    }

    /// <summary>The word pieces of a vocab.txt, one per line; their count must equal the embedding rows.</summary>
    private static List<string> VocabularyLines(byte[] vocabulary, BertConfig config, string sourceName)
    {
        var lines = Encoding.UTF8.GetString(vocabulary).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count != config.VocabularySize)
        {
            throw new InvalidDataException(
                $"{sourceName}: the vocabulary has {lines.Count} word pieces but the word-embedding table has "
                + $"{config.VocabularySize} rows; the vocab.txt does not belong to this model.");
        }

        return lines;
    }

    /// <summary>The encoder's dimensions.</summary>
    public BertConfig Config { get; }

    /// <summary>The validated options.</summary>
    public BertEncoderOptions Options { get; }

    /// <inheritdoc />
    public int HiddenSize => Config.Hidden;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> TrainableParameters => _trainable;

    /// <summary>Every parameter, frozen or not, in a fixed order (embeddings, then block by block).</summary>
    public IReadOnlyList<Parameter> Parameters => _all;

    /// <summary>
    /// Texts that <see cref="Tokenize"/> has truncated to the maximum length so far (a count, so callers can report
    /// truncation once instead of per row).
    /// </summary>
    public int TruncatedTexts => Volatile.Read(ref _truncated);

    /// <summary>Rows whose frozen-stack output is cached (see <see cref="BertEncoderOptions.CacheFrozenOutputs"/>).</summary>
    public int CachedRows => _cache.Count;

    /// <summary>Bytes held by the frozen-output cache.</summary>
    public long CachedBytes => _cachedFloats * sizeof(float);

    /// <summary>Drops every cached frozen-stack output.</summary>
    public void ClearCache()
    {
        _cache.Clear();
        _cachedFloats = 0;
    }

    /// <summary>Loads the bundled all-MiniLM-L6-v2 (about a second).</summary>
    /// <exception cref="FileNotFoundException">The bundled model is missing.</exception>
    /// <exception cref="InvalidDataException">The model is not the expected BERT graph.</exception>
    public static BertEncoder LoadBundled(BertEncoderOptions? options = null) =>
        Load(BundledMiniLm.ModelBytes, BundledMiniLm.VocabularyBytes(), BundledMiniLm.Name, options);

    /// <summary>Loads a BERT encoder from an ONNX file and its <c>vocab.txt</c>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">
    /// The model is not a post-LN BERT encoder graph with exact GELU, or the vocabulary does not match its embeddings.
    /// </exception>
    public static BertEncoder Load(string modelPath, string vocabularyPath, BertEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(vocabularyPath);
        string full = Path.GetFullPath(modelPath);
        return Load(() => File.ReadAllBytes(full), File.ReadAllBytes(vocabularyPath), modelPath, options);
    }

    internal static BertEncoder Load(Func<byte[]> modelSource, byte[] vocabulary, string name, BertEncoderOptions? options)
    {
        var bytes = modelSource();
        var model = OnnxModel.Parse(bytes, name);
        var layout = BertOnnxLayout.Discover(model, bytes, name);
        // Checked before the weights are copied out, so a wrong vocab.txt fails fast.
        VocabularyLines(vocabulary, layout.Config, name);
        var names = InitializerNames(layout);
        return new BertEncoder(layout.Config, options ?? new BertEncoderOptions(), (param, shape, decay) =>
        {
            var values = model.Initializers[names[param]].ReadFloats(bytes);
            return new Parameter(param, values, shape, decay);
        }, vocabulary, modelSource, name);
    }

    /// <summary>
    /// An encoder with random weights (normal, σ = <paramref name="scale"/>; LayerNorm γ near 1) and no tokenizer, for
    /// tests on tiny configurations.
    /// </summary>
    internal static BertEncoder CreateRandom(BertConfig config, int seed, BertEncoderOptions? options = null, float scale = 0.5f)
    {
        var random = new Random(seed);
        return new BertEncoder(config, options ?? new BertEncoderOptions(), (name, shape, decay) =>
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            var values = new float[count];
            bool gamma = name.EndsWith("LayerNorm.weight", StringComparison.Ordinal);
            for (int i = 0; i < count; i++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                float normal = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
                values[i] = gamma ? 1f + (0.2f * normal) : scale * normal;
            }

            return new Parameter(name, values, shape, decay);
        }, null, null, "random");
    }

    /// <summary>The parameter name → ONNX initializer name map of a discovered layout.</summary>
    private static Dictionary<string, string> InitializerNames(BertOnnxLayout layout)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["embeddings.word_embeddings.weight"] = layout.WordEmbeddings,
            ["embeddings.position_embeddings.weight"] = layout.PositionEmbeddings,
            ["embeddings.token_type_embeddings.weight"] = layout.TokenTypeEmbeddings,
            ["embeddings.LayerNorm.weight"] = layout.EmbeddingNormWeight,
            ["embeddings.LayerNorm.bias"] = layout.EmbeddingNormBias,
        };
        for (int l = 0; l < layout.Layers.Count; l++)
        {
            var n = layout.Layers[l];
            string p = $"encoder.layer.{l}.";
            map[p + "attention.self.query.weight"] = n.QueryWeight;
            map[p + "attention.self.query.bias"] = n.QueryBias;
            map[p + "attention.self.key.weight"] = n.KeyWeight;
            map[p + "attention.self.key.bias"] = n.KeyBias;
            map[p + "attention.self.value.weight"] = n.ValueWeight;
            map[p + "attention.self.value.bias"] = n.ValueBias;
            map[p + "attention.output.dense.weight"] = n.AttentionOutputWeight;
            map[p + "attention.output.dense.bias"] = n.AttentionOutputBias;
            map[p + "attention.output.LayerNorm.weight"] = n.AttentionNormWeight;
            map[p + "attention.output.LayerNorm.bias"] = n.AttentionNormBias;
            map[p + "intermediate.dense.weight"] = n.IntermediateWeight;
            map[p + "intermediate.dense.bias"] = n.IntermediateBias;
            map[p + "output.dense.weight"] = n.OutputWeight;
            map[p + "output.dense.bias"] = n.OutputBias;
            map[p + "output.LayerNorm.weight"] = n.OutputNormWeight;
            map[p + "output.LayerNorm.bias"] = n.OutputNormBias;
        }

        return map;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The encoder has no vocabulary (built from random weights).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 2 or above the position table.</exception>
    public TokenBatch Tokenize(IReadOnlyList<string> texts, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (_tokenizer is null)
        {
            throw new InvalidOperationException("This encoder has no vocabulary; build TokenBatch values directly.");
        }

        if (maxLength < 2 || maxLength > Config.MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength,
                $"maxLength must be in [2, {Config.MaxPositions}] (the position table).");
        }

        var rows = new long[texts.Count][];
        var ids = new long[maxLength + 1];
        var mask = new long[maxLength + 1];
        int truncated = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? throw new ArgumentException($"Text {i} is null; encode an empty string instead.", nameof(texts));
            string folded = AccentFolding.Fold(text);
            // One spare slot tells a text that needs more than maxLength pieces; it is then encoded again into
            // exactly maxLength slots, which truncates as SentenceEmbedder does ([CLS] … [SEP]).
            int count = _tokenizer.Encode(folded, ids, mask);
            if (count > maxLength)
            {
                truncated++;
                count = _tokenizer.Encode(folded, ids.AsSpan(0, maxLength), mask.AsSpan(0, maxLength));
            }

            rows[i] = ids[..count];
        }

        Interlocked.Add(ref _truncated, truncated);
        int length = rows.Length == 0 ? 0 : rows.Max(r => r.Length);
        var inputIds = new int[rows.Length * length];
        var attention = new int[rows.Length * length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int t = 0; t < length; t++)
            {
                bool real = t < rows[i].Length;
                inputIds[(i * length) + t] = real ? (int)rows[i][t] : _padId;
                attention[(i * length) + t] = real ? 1 : 0;
            }
        }

        return new TokenBatch(rows.Length, length, inputIds, attention) { TruncatedRows = truncated };
    }

    /// <summary>
    /// Mean-pooled, L2-normalised sentence embeddings (as sentence-transformers and <see cref="SentenceEmbedder"/>
    /// compute them), in input order; texts are sorted by length into batches to cut padding.
    /// </summary>
    public float[][] Encode(IReadOnlyList<string> texts, int batchSize = 16, int maxLength = 256)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var lengths = texts.Select(t => t?.Length ?? 0).ToArray();
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => lengths[i]).ToArray();
        var result = new float[texts.Count][];
        for (int b = 0; b < order.Length; b += batchSize)
        {
            var rows = order.AsSpan(b, Math.Min(batchSize, order.Length - b)).ToArray();
            var batch = Tokenize([.. rows.Select(i => texts[i])], Math.Min(maxLength, Config.MaxPositions));
            var pass = Forward(batch, training: false, 0);
            for (int r = 0; r < rows.Length; r++)
            {
                var v = pass.Pooled.AsSpan(r * HiddenSize, HiddenSize).ToArray();
                TensorPrimitives.Divide(v, MathF.Max(MathF.Sqrt(Reduce.Dot(v, v)), 1e-12f), v);
                result[rows[r]] = v;
            }
        }

        return result;
    }

    private sealed record EmbeddingWeights(Parameter Word, Parameter Position, Parameter Type, Parameter NormWeight, Parameter NormBias)
    {
        public Parameter[] All => [Word, Position, Type, NormWeight, NormBias];
    }

    private sealed record LayerWeights(
        Parameter QueryWeight, Parameter QueryBias, Parameter KeyWeight, Parameter KeyBias,
        Parameter ValueWeight, Parameter ValueBias, Parameter AttentionOutputWeight, Parameter AttentionOutputBias,
        Parameter AttentionNormWeight, Parameter AttentionNormBias, Parameter IntermediateWeight, Parameter IntermediateBias,
        Parameter OutputWeight, Parameter OutputBias, Parameter OutputNormWeight, Parameter OutputNormBias)
    {
        public Parameter[] All =>
        [
            QueryWeight, QueryBias, KeyWeight, KeyBias, ValueWeight, ValueBias, AttentionOutputWeight, AttentionOutputBias,
            AttentionNormWeight, AttentionNormBias, IntermediateWeight, IntermediateBias, OutputWeight, OutputBias,
            OutputNormWeight, OutputNormBias,
        ];
    }

    private sealed record CachedRow(int[] Ids, int[] Positions, float[] Hidden);
}
