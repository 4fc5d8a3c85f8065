namespace Skein.Onnx.Tests;

/// <summary>One embedder for the whole test assembly: loading the model takes about a second.</summary>
public sealed class EmbedderFixture : IDisposable
{
    // One intra-op thread: the CI box has two cores and other test assemblies run beside this one.
    public SentenceEmbedder Embedder { get; } = new(new SentenceEmbedderOptions { IntraOpNumThreads = 1 });

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EmbedderGroup : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "embedder";
}

internal static class Vectors
{
    public static float Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    public static float Norm(float[] a) => System.Numerics.Tensors.TensorPrimitives.Norm<float>(a);
}
