using Skein.Transformers.Onnx;

namespace Skein.Transformers;

public sealed partial class BertEncoder
{
    /// <summary>
    /// Writes the encoder as an ONNX model: the graph it was loaded from, byte for byte, with every weight it holds
    /// replaced by its current value (initializers it does not hold, such as the pooler, keep theirs). ONNX Runtime
    /// (e.g. <see cref="Skein.Onnx.SentenceEmbedder"/> with <c>ModelPath</c>) then computes the same embeddings.
    /// </summary>
    /// <exception cref="InvalidOperationException">The encoder was not loaded from an ONNX model.</exception>
    /// <exception cref="InvalidDataException">The source model no longer has the graph the encoder was loaded from.</exception>
    public void SaveOnnx(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var bytes = OnnxBytes();
        destination.Write(bytes);
    }

    /// <summary>
    /// Writes the ONNX model to <paramref name="path"/> through a temporary file in the same folder, so a failure never
    /// leaves a half-written model.
    /// </summary>
    /// <inheritdoc cref="SaveOnnx(Stream)" path="/exception"/>
    public void SaveOnnx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = OnnxBytes();
        WriteAtomically(path, bytes);
    }

    /// <summary>Writes the <c>vocab.txt</c> the encoder tokenizes with (to pair with <see cref="SaveOnnx(string)"/>).</summary>
    /// <exception cref="InvalidOperationException">The encoder has no vocabulary.</exception>
    public void SaveVocabulary(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        WriteAtomically(path, _vocabulary ?? throw new InvalidOperationException("This encoder has no vocabulary."));
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private byte[] OnnxBytes()
    {
        if (_modelSource is null)
        {
            throw new InvalidOperationException("This encoder was not loaded from an ONNX model, so it has no graph to save.");
        }

        // The source is read again rather than kept: the ~90 MB of original bytes are needed only here.
        var bytes = _modelSource();
        var model = OnnxModel.Parse(bytes, _sourceName);
        var layout = BertOnnxLayout.Discover(model, bytes, _sourceName);
        if (layout.Config != Config)
        {
            throw new InvalidDataException($"{_sourceName}: the model changed since the encoder was loaded ({layout.Config} vs {Config}).");
        }

        var names = InitializerNames(layout);
        foreach (var parameter in _all)
        {
            var initializer = model.Initializers[names[parameter.Name]];
            if (initializer.DataLength != parameter.Value.Length * sizeof(float))
            {
                throw new InvalidDataException(
                    $"{_sourceName}: initializer '{initializer.Name}' holds {initializer.DataLength} bytes, not {parameter.Value.Length} floats.");
            }

            // Same length in place: the protobuf framing (tags, lengths) and every other byte stay as they were.
            Buffer.BlockCopy(parameter.Value, 0, bytes, initializer.DataOffset, initializer.DataLength);
        }

        return bytes;
    }
}
