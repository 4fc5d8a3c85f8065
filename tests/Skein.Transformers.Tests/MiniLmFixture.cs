using System.Text.Json;
using Skein.Onnx;

namespace Skein.Transformers.Tests;

/// <summary>The bundled MiniLM, loaded once for the test assembly (managed encoder and ONNX Runtime).</summary>
public sealed class MiniLmFixture : IDisposable
{
    // One thread each: the CI box has two cores and other test assemblies run beside this one.
    public BertEncoder Encoder { get; } = BertEncoder.LoadBundled(new BertEncoderOptions { Threads = 1 });

    public SentenceEmbedder Onnx { get; } = new(new SentenceEmbedderOptions { IntraOpNumThreads = 1 });

    public void Dispose() => Onnx.Dispose();

    /// <summary>The first <paramref name="count"/> comments of the bundled WRENCH youtube train split.</summary>
    public static string[] Comments(int count)
    {
        var path = Path.Combine(RepoRoot(), "tests", "data", "youtube", "wrench_youtube_train.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. doc.RootElement.EnumerateObject().Take(count).Select(p => p.Value.GetProperty("data").GetProperty("text").GetString()!)];
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Skein.slnx not found above the test directory.");
    }
}

[CollectionDefinition(Name)]
public sealed class MiniLmGroup : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "minilm";
}
