using System.Text;
using System.Text.Json;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;

namespace Skein.Cli.Commands;

/// <summary>
/// What <c>skein train</c> writes and <c>skein predict</c> reads: one versioned JSON file holding the featurizer
/// (the TF-IDF model, or the name of the sentence embedder) and the end model, so predictions need nothing else.
/// <code>{"format": "skein.text-model", "version": 1, "textColumn": "text", "features": {"kind": "tfidf", "model": {…}}, "endModel": {…}}</code>
/// </summary>
internal sealed record TextModelBundle(string Features, HashedNGramModel? TfIdf, string? EmbedderId, EndModel EndModel, string TextColumn)
{
    public const string FormatName = "skein.text-model";
    public const int FormatVersion = 1;

    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", FormatVersion);
        writer.WriteString("textColumn", TextColumn);
        writer.WriteStartObject("features");
        writer.WriteString("kind", Features);
        if (TfIdf is not null)
        {
            writer.WritePropertyName("model");
            writer.WriteRawValue(ToJson(TfIdf.Save));
        }

        if (EmbedderId is not null)
        {
            writer.WriteString("embedder", EmbedderId);
        }

        writer.WriteEndObject();
        writer.WritePropertyName("endModel");
        writer.WriteRawValue(ToJson(EndModel.Save));
        writer.WriteEndObject();
    });

    /// <summary>Reads a bundle; anything malformed is a <see cref="DataFormatException"/> naming the file.</summary>
    public static TextModelBundle Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException("model file not found.", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !Has(root, "format", JsonValueKind.String)
                || root.GetProperty("format").GetString() != FormatName)
            {
                throw new DataFormatException($"not a Skein text model (expected \"format\": \"{FormatName}\", written by skein train).", path);
            }

            if (!Has(root, "version", JsonValueKind.Number) || root.GetProperty("version").GetInt32() != FormatVersion)
            {
                throw new DataFormatException($"unsupported version; this build reads version {FormatVersion}.", path, column: "version");
            }

            if (!Has(root, "features", JsonValueKind.Object) || !Has(root.GetProperty("features"), "kind", JsonValueKind.String)
                || !Has(root, "endModel", JsonValueKind.Object) || !Has(root, "textColumn", JsonValueKind.String))
            {
                throw new DataFormatException("missing 'features.kind', 'textColumn' or 'endModel'.", path);
            }

            var features = root.GetProperty("features");
            var kind = features.GetProperty("kind").GetString()!;
            var endModel = EndModel.Load(FromJson(root.GetProperty("endModel")));
            HashedNGramModel? tfidf = null;
            string? embedder = null;
            int featureCount;
            switch (kind)
            {
                case EndModelFactory.TfIdf when Has(features, "model", JsonValueKind.Object):
                    tfidf = HashedNGramModel.Load(FromJson(features.GetProperty("model")));
                    featureCount = tfidf.Dimension;
                    break;
                case EndModelFactory.MiniLm when Has(features, "embedder", JsonValueKind.String):
                    embedder = features.GetProperty("embedder").GetString();
                    featureCount = 384;
                    break;
                default:
                    throw new DataFormatException($"unknown or incomplete features '{kind}'; expected tfidf with a model or minilm with an embedder.", path, column: "features");
            }

            if (featureCount != endModel.FeatureCount)
            {
                throw new DataFormatException($"the features have {featureCount} columns but the end model expects {endModel.FeatureCount}.", path);
            }

            return new TextModelBundle(kind, tfidf, embedder, endModel, root.GetProperty("textColumn").GetString()!);
        }
        catch (DataFormatException e) when (e.FilePath is null)
        {
            throw new DataFormatException(e.Message, path, inner: e);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or DecoderFallbackException)
        {
            throw new DataFormatException($"corrupt model file: {e.Message}", path, inner: e);
        }
    }

    private static bool Has(JsonElement obj, string name, JsonValueKind kind) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == kind;

    private static string ToJson(Action<Stream> save)
    {
        using var buffer = new MemoryStream();
        save(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static MemoryStream FromJson(JsonElement element) => new(Encoding.UTF8.GetBytes(element.GetRawText()));
}
