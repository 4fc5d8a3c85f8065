using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;
using FastBertTokenizer;
using Microsoft.ML.OnnxRuntime;

namespace Skein.Onnx;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (bundled; no download at run time), run on ONNX Runtime:
/// BERT uncased word pieces (FastBertTokenizer), mean pooling over the attention mask and L2 normalisation,
/// as sentence-transformers computes them. Thread-safe: concurrent <c>Encode</c> calls share one
/// ONNX Runtime session.
/// </summary>
public sealed class SentenceEmbedder : ISentenceEmbedder, IDisposable
{
    /// <summary>The bundled model's name, the start of its <see cref="ModelId"/>.</summary>
    public const string BundledModelName = "sentence-transformers/all-MiniLM-L6-v2";

    private readonly SentenceEmbedderOptions _options;
    private readonly BertTokenizer _tokenizer;
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long _padId;
    private int _disposed;

    /// <summary>Loads the bundled all-MiniLM-L6-v2 (or the model in <paramref name="options"/>); takes about a second.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="FileNotFoundException">The bundled model or a given file is missing.</exception>
    /// <exception cref="InvalidDataException">The model does not look like a BERT sentence encoder.</exception>
    public SentenceEmbedder(SentenceEmbedderOptions? options = null)
    {
        options ??= new SentenceEmbedderOptions();
        options.Validate();
        _options = options;

        byte[] model, vocabulary;
        string name;
        if (options.ModelPath is null)
        {
            var dll = BundledModel.LocateAssembly();
            model = BundledModel.ReadResource(dll, BundledModel.ModelResource);
            vocabulary = BundledModel.ReadResource(dll, BundledModel.VocabularyResource);
            name = BundledModelName;
        }
        else
        {
            model = File.ReadAllBytes(options.ModelPath);
            vocabulary = File.ReadAllBytes(options.VocabularyPath!);
            name = Path.GetFileNameWithoutExtension(options.ModelPath);
        }

        _tokenizer = new BertTokenizer();
        using (var reader = new StreamReader(new MemoryStream(vocabulary), Encoding.UTF8))
        {
            _tokenizer.LoadVocabulary(reader, convertInputToLowercase: true);
        }

        _padId = Math.Max(0, Encoding.UTF8.GetString(vocabulary).Split('\n').Select(l => l.TrimEnd('\r'))
            .ToList().IndexOf("[PAD]"));

        // The id hashes the bytes, not the file name, so a different model can never hit another's cache entries.
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            sha.AppendData(model);
            sha.AppendData(vocabulary);
            var digest = Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
            ModelId = $"{name}/sha256:{digest}/max{options.MaxTokens}/mean-l2";
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpNumThreads,
            // One graph, run node after node: inter-op threads would only compete with the intra-op pool.
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (!options.AllowSpinning)
        {
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        _session = new InferenceSession(model, sessionOptions);
        try
        {
            (_inputNames, _outputNames, Dimension) = InspectModel(_session);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string ModelId { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>The validated options this embedder runs with.</summary>
    public SentenceEmbedderOptions Options => _options;

    /// <summary>The word-piece ids the model sees for <paramref name="text"/>: [CLS] … [SEP], truncated to MaxTokens.</summary>
    public long[] TokenIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var ids = new long[_options.MaxTokens];
        var mask = new long[_options.MaxTokens];
        int count = _tokenizer.Encode(AccentFolding.Fold(text), ids, mask);
        return ids[..count];
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A text is null.</exception>
    /// <exception cref="ObjectDisposedException">The embedder was disposed.</exception>
    public float[][] Encode(IReadOnlyList<string> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new float[Dimension];
        }

        Encode(texts, result, progress, cancellationToken);
        return result;
    }

    /// <summary>
    /// Writes one vector per text into <paramref name="destination"/> (row i for text i), so callers can embed
    /// straight into storage they own.
    /// </summary>
    /// <exception cref="ArgumentException">A text is null, or the rows do not match the texts and <see cref="Dimension"/>.</exception>
    public void Encode(IReadOnlyList<string> texts, IReadOnlyList<float[]> destination,
        IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Encode(texts, destination, _options.BatchSize, _options.SortWindow, progress, cancellationToken);

    /// <summary>Encode with another batch size and sort window than the options' (for tests and benchmarks).</summary>
    internal void Encode(IReadOnlyList<string> texts, IReadOnlyList<float[]> destination, int batchSize, int sortWindow,
        IProgress<EmbeddingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (destination.Count != texts.Count)
        {
            throw new ArgumentException($"destination has {destination.Count} rows for {texts.Count} texts.", nameof(destination));
        }

        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"Text {i} is null; embed an empty string instead.", nameof(texts));
            }

            if (destination[i]?.Length != Dimension)
            {
                throw new ArgumentException($"destination row {i} must hold {Dimension} floats.", nameof(destination));
            }
        }

        int window = Math.Max(1, sortWindow);
        int done = 0;
        var ids = new long[_options.MaxTokens];
        var mask = new long[_options.MaxTokens];
        for (int start = 0; start < texts.Count; start += window)
        {
            int count = Math.Min(window, texts.Count - start);

            // Tokenise the window, then order it by length so that each batch pads to a similar length.
            var tokens = new long[count][];
            for (int i = 0; i < count; i++)
            {
                int n = _tokenizer.Encode(AccentFolding.Fold(texts[start + i]), ids, mask);
                tokens[i] = ids[..n];
            }

            var order = Enumerable.Range(0, count).ToArray();
            if (window > 1)
            {
                // A stable sort keeps equal-length texts in input order: the same input gives the same batches.
                order = [.. order.OrderBy(i => tokens[i].Length)];
            }

            for (int b = 0; b < count; b += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.AsSpan(b, Math.Min(batchSize, count - b));
                RunBatch(batch, tokens, start, destination);
                done += batch.Length;
                progress?.Report(new EmbeddingProgress(done, texts.Count));
            }
        }
    }

    private void RunBatch(ReadOnlySpan<int> batch, long[][] tokens, int offset, IReadOnlyList<float[]> destination)
    {
        int rows = batch.Length;
        int length = 0;
        foreach (int i in batch)
        {
            length = Math.Max(length, tokens[i].Length);
        }

        var inputIds = new long[rows * length];
        var attention = new long[rows * length];
        var typeIds = new long[rows * length];
        Array.Fill(inputIds, _padId);
        for (int r = 0; r < rows; r++)
        {
            var t = tokens[batch[r]];
            t.CopyTo(inputIds, r * length);
            attention.AsSpan(r * length, t.Length).Fill(1);
        }

        long[] shape = [rows, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(attention, shape);
        using var typeValue = OrtValue.CreateTensorValueFromMemory(typeIds, shape);
        OrtValue[] inputs = _inputNames.Length == 3 ? [idsValue, maskValue, typeValue] : [idsValue, maskValue];
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, inputs, _outputNames);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        int dim = Dimension;
        if (hidden.Length != rows * length * dim)
        {
            throw new InvalidDataException($"The model returned {hidden.Length} values for a {rows}×{length}×{dim} output.");
        }

        for (int r = 0; r < rows; r++)
        {
            // Right padding makes the attention mask a prefix of ones, so masked mean pooling is the mean of
            // the first n token vectors.
            int n = tokens[batch[r]].Length;
            var v = destination[offset + batch[r]].AsSpan();
            var rowStart = hidden.Slice(r * length * dim, n * dim);
            rowStart[..dim].CopyTo(v);
            for (int t = 1; t < n; t++)
            {
                TensorPrimitives.Add(v, rowStart.Slice(t * dim, dim), v);
            }

            // sentence-transformers: sum / clamp(n, 1e-9), then F.normalize(eps = 1e-12). The mean's scale
            // cancels in the normalisation except through the eps, so dividing by n first keeps that exact.
            TensorPrimitives.Divide(v, n, v);
            float norm = TensorPrimitives.Norm<float>(v);
            TensorPrimitives.Divide(v, MathF.Max(norm, 1e-12f), v);
        }
    }

    private static (string[] Inputs, string[] Outputs, int Dimension) InspectModel(InferenceSession session)
    {
        var inputs = session.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        if (!inputs.Contains("input_ids") || !inputs.Contains("attention_mask"))
        {
            throw new InvalidDataException(
                $"The model's inputs are [{string.Join(", ", inputs)}]; a BERT encoder needs input_ids and attention_mask.");
        }

        string[] inputNames = inputs.Contains("token_type_ids")
            ? ["input_ids", "attention_mask", "token_type_ids"]
            : ["input_ids", "attention_mask"];
        var output = session.OutputMetadata.ContainsKey("last_hidden_state")
            ? "last_hidden_state"
            : session.OutputMetadata.Keys.First();
        var dims = session.OutputMetadata[output].Dimensions;
        if (dims.Length != 3 || dims[^1] <= 0)
        {
            throw new InvalidDataException(
                $"The model's output '{output}' has shape [{string.Join(", ", dims)}]; expected [batch, tokens, dimension].");
        }

        return (inputNames, [output], dims[^1]);
    }

    /// <summary>Releases the ONNX Runtime session. Do not dispose while an <c>Encode</c> call runs.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }
}
