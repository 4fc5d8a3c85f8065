using Skein.Onnx;

namespace Skein.Transformers.Onnx;

/// <summary>The all-MiniLM-L6-v2 <c>model.onnx</c> and <c>vocab.txt</c> bundled with Skein.Onnx.</summary>
internal static class BundledMiniLm
{
    public const string Name = SentenceEmbedder.BundledModelName;

    public static byte[] ModelBytes() => BundledModel.ReadResource(BundledModel.LocateAssembly(), BundledModel.ModelResource);

    public static byte[] VocabularyBytes() =>
        BundledModel.ReadResource(BundledModel.LocateAssembly(), BundledModel.VocabularyResource);
}
