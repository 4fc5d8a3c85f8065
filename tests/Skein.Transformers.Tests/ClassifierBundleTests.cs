using System.Text.Json.Nodes;
using Skein.Data;
using Skein.IO;

namespace Skein.Transformers.Tests;

public sealed class ClassifierBundleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skein-bundle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A top-1-layer fine-tune of the real MiniLM on 24 comments, one epoch (a few seconds).</summary>
    private static FineTunedClassifier Tiny(string[] texts)
    {
        var encoder = BertEncoder.LoadBundled(new BertEncoderOptions { Threads = 1, FrozenLayers = 5 });
        var labels = new double[texts.Length * 2];
        for (int i = 0; i < texts.Length; i++)
        {
            labels[(i * 2) + (texts[i].Contains("http", StringComparison.OrdinalIgnoreCase) || texts[i].Contains("check", StringComparison.OrdinalIgnoreCase) ? 1 : 0)] = 1;
        }

        var options = new FineTuneOptions { LearningRate = 1e-3, Epochs = 1, BatchSize = 8, MaxLength = 32, Seed = 3 };
        return new FineTuneTrainer(options).Fit(encoder, texts, ProbabilisticLabels.FromRowMajor(labels, 2));
    }

    [Fact]
    public void SaveThenLoadGivesTheSameProbabilitiesAndMetadata()
    {
        var texts = MiniLmFixture.Comments(24);
        var classifier = Tiny(texts);
        string bundle = Path.Combine(_dir, "model");
        classifier.Save(bundle, new Dictionary<string, string> { ["textColumn"] = "text" });
        Assert.True(File.Exists(Path.Combine(bundle, FineTunedClassifier.ModelFile)));
        Assert.Empty(Directory.GetDirectories(_dir, "model.tmp-*"));

        var loaded = FineTunedClassifier.Load(bundle, new BertEncoderOptions { Threads = 1 });
        Assert.Equal(classifier.Classes, loaded.Classes);
        Assert.Equal(classifier.MaxLength, loaded.MaxLength);
        Assert.Equal(3, loaded.Seed);
        Assert.Equal("text", loaded.Metadata["textColumn"]);
        Assert.Equal(classifier.HeadWeight, loaded.HeadWeight);
        var expected = classifier.PredictProba(texts);
        var actual = loaded.PredictProba(texts);
        Assert.True(expected.BitwiseEquals(actual), "probabilities differ after save/load");

        // Saving again over the bundle replaces it.
        loaded.Save(bundle);
        Assert.Equal("text", FineTunedClassifier.Load(bundle).Metadata["textColumn"]);
    }

    [Fact]
    public void BadBundlesAreDataErrorsNamingTheFile()
    {
        var classifier = Tiny(MiniLmFixture.Comments(16));
        string bundle = Path.Combine(_dir, "model");
        classifier.Save(bundle);
        string head = Path.Combine(bundle, FineTunedClassifier.HeadFile);
        string original = File.ReadAllText(head);

        void Expect(Action<JsonObject> edit, string column)
        {
            var json = JsonNode.Parse(original)!.AsObject();
            edit(json);
            File.WriteAllText(head, json.ToJsonString());
            var e = Assert.Throws<DataFormatException>(() => FineTunedClassifier.Load(bundle));
            Assert.Equal(head, e.FilePath);
            Assert.Contains(column, e.Message, StringComparison.Ordinal);
        }

        Expect(j => j["weight"]!.AsArray().RemoveAt(0), "weight");
        Expect(j => j["bias"] = new JsonArray(1, 2, 3), "bias");
        Expect(j => j["classes"] = 1_000_000, "classes");
        Expect(j => j["hidden"] = 12, "hidden");
        Expect(j => j["version"] = 2, "version");
        Expect(j => j["format"] = "skein.text-model", "format");
        Expect(j => j["maxLength"] = 100_000, "maxLength");
        Expect(j => j["bias"]![0] = "x", "bias");

        File.WriteAllText(head, "{ not json");
        Assert.Throws<DataFormatException>(() => FineTunedClassifier.Load(bundle));

        File.WriteAllText(head, original);
        File.Delete(Path.Combine(bundle, FineTunedClassifier.VocabularyFile));
        var missing = Assert.Throws<DataFormatException>(() => FineTunedClassifier.Load(bundle));
        Assert.EndsWith(FineTunedClassifier.VocabularyFile, missing.FilePath, StringComparison.Ordinal);

        // A folder that is not a bundle is never replaced.
        string other = Path.Combine(_dir, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "keep.txt"), "x");
        Assert.Throws<IOException>(() => classifier.Save(other));
        Assert.True(File.Exists(Path.Combine(other, "keep.txt")));
    }
}
