using System.Security.Cryptography;
using System.Text;

namespace Skein.Onnx.Tests;

/// <summary>A model-free embedder: a unit vector derived from the text's hash; counts the texts it is asked for.</summary>
internal sealed class FakeEmbedder(string modelId = "fake/v1", int dimension = 8) : ISentenceEmbedder
{
    private int _calls;
    private int _texts;

    public string ModelId { get; } = modelId;

    public int Dimension { get; } = dimension;

    public int Calls => _calls;

    public int TextsEmbedded => _texts;

    public float[][] Encode(IReadOnlyList<string> texts, IProgress<EmbeddingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _texts, texts.Count);
        return [.. texts.Select(Vector)];
    }

    public float[] Vector(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var v = new float[Dimension];
        for (int d = 0; d < Dimension; d++)
        {
            v[d] = hash[d % hash.Length] - 127.5f;
        }

        float norm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        return v;
    }
}
