using System.Globalization;
using System.Text;
using System.Text.Json;
using Skein.IO;

namespace Skein.Transformers;

public sealed partial class FineTunedClassifier
{
    /// <summary>Format name in the bundle's <c>classifier.json</c>.</summary>
    public const string FormatName = "skein.finetuned-classifier";

    /// <summary>Version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The encoder's ONNX model inside a bundle folder.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>The encoder's word-piece vocabulary inside a bundle folder.</summary>
    public const string VocabularyFile = "vocab.txt";

    /// <summary>The head and options inside a bundle folder.</summary>
    public const string HeadFile = "classifier.json";

    // Bounds on untrusted sizes, checked before anything is allocated from them.
    private const int MaxClasses = 100_000;
    private const int MaxHidden = 65_536;

    /// <summary>Caller metadata stored with the bundle (e.g. the text column it was trained on); empty when none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private init; } = new Dictionary<string, string>();

    /// <summary>
    /// Saves the classifier as a folder: the encoder as ONNX (<see cref="BertEncoder.SaveOnnx(string)"/>, so ONNX Runtime can run it
    /// too), its <c>vocab.txt</c>, and the head with the prediction options as versioned JSON. The folder is written under
    /// a temporary name beside it and moved into place, so a failure leaves no half-written bundle; an existing bundle
    /// at <paramref name="directory"/> is replaced.
    /// </summary>
    /// <param name="directory">The bundle folder to write.</param>
    /// <param name="metadata">Optional string pairs stored with it (<see cref="Metadata"/> after loading).</param>
    /// <exception cref="NotSupportedException">The encoder is not a <see cref="BertEncoder"/> loaded from ONNX.</exception>
    /// <exception cref="IOException"><paramref name="directory"/> exists and is not a bundle.</exception>
    public void Save(string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (Encoder is not BertEncoder bert)
        {
            throw new NotSupportedException($"Only a classifier over a {nameof(BertEncoder)} can be saved; this one's encoder is {Encoder.GetType().Name}.");
        }

        string full = Path.GetFullPath(directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, HeadFile)))
        {
            throw new IOException($"{full} exists and is not a fine-tuned classifier bundle; refusing to replace it.");
        }

        string temp = $"{full}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            bert.SaveOnnx(Path.Combine(temp, ModelFile));
            bert.SaveVocabulary(Path.Combine(temp, VocabularyFile));
            using (var stream = File.Create(Path.Combine(temp, HeadFile)))
            {
                WriteHead(stream, metadata ?? Metadata);
            }

            if (Directory.Exists(full))
            {
                Directory.Delete(full, recursive: true);
            }

            Directory.Move(temp, full);
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            throw;
        }
    }

    /// <summary>
    /// Loads a bundle written by <see cref="Save"/>; inference runs on the managed <see cref="BertEncoder"/>. The bundle is
    /// untrusted input: every size is checked against the arrays and the encoder before use.
    /// </summary>
    /// <param name="directory">The bundle folder.</param>
    /// <param name="options">Run-time options of the encoder (threads); null = defaults.</param>
    /// <exception cref="DataFormatException">A file is missing, malformed, of another format or version, or disagrees with the encoder (the message names the file).</exception>
    public static FineTunedClassifier Load(string directory, BertEncoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string head = Path.Combine(directory, HeadFile), model = Path.Combine(directory, ModelFile), vocabulary = Path.Combine(directory, VocabularyFile);
        foreach (var path in new[] { head, model, vocabulary })
        {
            if (!File.Exists(path))
            {
                throw new DataFormatException("file not found; a fine-tuned classifier bundle holds classifier.json, model.onnx and vocab.txt.", path);
            }
        }

        var h = ReadHead(head);
        BertEncoder encoder;
        try
        {
            encoder = BertEncoder.Load(model, vocabulary, options);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new DataFormatException($"not a loadable BERT encoder: {e.Message}", model, inner: e);
        }

        if (encoder.HiddenSize != h.Hidden)
        {
            throw new DataFormatException($"hidden = {h.Hidden}, but the encoder's pooled vectors have {encoder.HiddenSize} values.", head, column: "hidden");
        }

        if (h.MaxLength > encoder.Config.MaxPositions)
        {
            throw new DataFormatException($"maxLength = {h.MaxLength} exceeds the encoder's {encoder.Config.MaxPositions} positions.", head, column: "maxLength");
        }

        return new FineTunedClassifier(encoder, h.Weight, h.Bias, h.Classes, h.MaxLength, h.PredictBatchSize, h.Seed) { Metadata = h.Metadata };
    }

    private void WriteHead(Stream stream, IReadOnlyDictionary<string, string> metadata)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", FormatVersion);
        writer.WriteNumber("classes", Classes);
        writer.WriteNumber("hidden", Encoder.HiddenSize);
        writer.WriteNumber("maxLength", MaxLength);
        writer.WriteNumber("predictBatchSize", PredictBatchSize);
        writer.WriteNumber("seed", Seed);
        writer.WriteStartArray("weight");
        foreach (float w in _weight)
        {
            writer.WriteNumberValue(w); // shortest round-trip form: the floats come back bit for bit
        }

        writer.WriteEndArray();
        writer.WriteStartArray("bias");
        foreach (float b in _bias)
        {
            writer.WriteNumberValue(b);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("metadata");
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private sealed record Head(int Classes, int Hidden, int MaxLength, int PredictBatchSize, int Seed, float[] Weight, float[] Bias, Dictionary<string, string> Metadata);

    private static Head ReadHead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != FormatName)
            {
                throw new DataFormatException($"not a fine-tuned classifier (expected \"format\": \"{FormatName}\").", path, column: "format");
            }

            int version = Int(root, "version", 1, int.MaxValue, path);
            if (version != FormatVersion)
            {
                throw new DataFormatException($"version {version} is not supported; this build reads version {FormatVersion}.", path, column: "version");
            }

            int classes = Int(root, "classes", 2, MaxClasses, path);
            int hidden = Int(root, "hidden", 1, MaxHidden, path);
            int maxLength = Int(root, "maxLength", 2, int.MaxValue, path);
            int batch = Int(root, "predictBatchSize", 1, int.MaxValue, path);
            int seed = Int(root, "seed", int.MinValue, int.MaxValue, path);
            var weight = Floats(root, "weight", (long)classes * hidden, path);
            var bias = Floats(root, "bias", classes, path);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var meta))
            {
                if (meta.ValueKind != JsonValueKind.Object)
                {
                    throw new DataFormatException("'metadata' must be an object of strings.", path, column: "metadata");
                }

                foreach (var p in meta.EnumerateObject())
                {
                    metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String
                        ? p.Value.GetString()!
                        : throw new DataFormatException($"metadata '{p.Name}' is not a string.", path, column: "metadata");
                }
            }

            return new Head(classes, hidden, maxLength, batch, seed, weight, bias, metadata);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or DecoderFallbackException)
        {
            throw new DataFormatException($"corrupt classifier file: {e.Message}", path, inner: e);
        }
    }

    private static int Int(JsonElement root, string name, int min, int max, string path)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value))
        {
            throw new DataFormatException($"'{name}' is missing or not a 32-bit integer.", path, column: name);
        }

        return value >= min && value <= max
            ? value
            : throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"'{name}' = {value} is outside [{min}, {max}]."), path, column: name);
    }

    private static float[] Floats(JsonElement root, string name, long expected, string path)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            throw new DataFormatException($"'{name}' is missing or not an array.", path, column: name);
        }

        int length = v.GetArrayLength();
        if (length != expected)
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"'{name}' has {length} values; classes and hidden call for {expected}."), path, column: name);
        }

        var values = new float[length];
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out float f) || !float.IsFinite(f))
            {
                throw new DataFormatException($"'{name}'[{i}] is not a finite number.", path, column: name);
            }

            values[i++] = f;
        }

        return values;
    }
}
