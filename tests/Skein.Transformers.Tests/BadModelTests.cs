using System.Text;
using Skein.Transformers.Onnx;

namespace Skein.Transformers.Tests;

public sealed class BadModelTests
{
    private static readonly Lazy<byte[]> Model = new(BundledMiniLm.ModelBytes);

    /// <summary>The bundled model with every node op_type <paramref name="from"/> renamed (same length, in place).</summary>
    private static byte[] WithOpRenamed(string from, string to)
    {
        var bytes = (byte[])Model.Value.Clone();
        // NodeProto.op_type is field 4, length-delimited: tag 0x22, then the length, then the name.
        byte[] pattern = [0x22, (byte)from.Length, .. Encoding.ASCII.GetBytes(from)];
        byte[] replacement = [0x22, (byte)to.Length, .. Encoding.ASCII.GetBytes(to)];
        int count = 0;
        for (int at = bytes.AsSpan().IndexOf(pattern); at >= 0;)
        {
            replacement.CopyTo(bytes, at);
            count++;
            int next = bytes.AsSpan(at + 1).IndexOf(pattern);
            at = next < 0 ? -1 : at + 1 + next;
        }

        Assert.True(count > 0);
        return bytes;
    }

    private static InvalidDataException LoadFails(byte[] model, byte[]? vocabulary = null) =>
        Assert.Throws<InvalidDataException>(() =>
            BertEncoder.Load(() => model, vocabulary ?? BundledMiniLm.VocabularyBytes(), "bad.onnx", null));

    [Fact]
    public void Tanh_gelu_instead_of_erf_is_rejected()
    {
        var error = LoadFails(WithOpRenamed("Erf", "Exp"));
        Assert.Contains("bad.onnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("erf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Graph_without_layer_norms_is_rejected()
    {
        var error = LoadFails(WithOpRenamed("Sqrt", "Sign"));
        Assert.Contains("LayerNorm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vocabulary_that_does_not_match_the_embeddings_is_rejected()
    {
        var vocabulary = Encoding.UTF8.GetBytes(string.Join('\n', Encoding.UTF8.GetString(BundledMiniLm.VocabularyBytes()).Split('\n').Take(30000)));
        var error = LoadFails(Model.Value, vocabulary);
        Assert.Contains("30000", error.Message, StringComparison.Ordinal);
        Assert.Contains("30522", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_protobuf_are_rejected()
    {
        var error = LoadFails(Encoding.ASCII.GetBytes("this is not an onnx model at all"));
        Assert.Contains("bad.onnx", error.Message, StringComparison.Ordinal);
        LoadFails(Model.Value[..1000]);
    }
}
