using System.Text;
using System.Text.Json.Nodes;
using Skein.EndModels;
using Skein.Features;
using Skein.IO;
using Skein.LabelModels;

namespace Skein.Tests.Fuzzing;

/// <summary>Crafted model files from the hostile-input pass: each must be a <see cref="DataFormatException"/>.</summary>
public sealed class HostileModelFileTests
{
    private static MemoryStream Json(JsonNode node) => new(Encoding.UTF8.GetBytes(node.ToJsonString()));

    [Fact]
    public void Softmax_HugeFeatureCount_IsADataError_NotOverflow()
    {
        var json = FuzzSeeds.Json(FuzzSeeds.SoftmaxModel.Save);
        json["featureCount"] = 1 << 30;
        var e = Assert.Throws<DataFormatException>(() => EndModel.Load(Json(json)));
        Assert.Equal("featureCount", e.Column);
    }

    [Fact]
    public void Mlp_SizeProductThatWrapsToZero_IsADataError()
    {
        // 65536 × 65536 wraps to 0 in int arithmetic, which matched an empty weights array before.
        var json = FuzzSeeds.Json(FuzzSeeds.MlpModel.Save);
        json["featureCount"] = 65536;
        json["parameters"]!["hiddenSizes"] = new JsonArray(65536);
        var layers = json["parameters"]!["layers"]!.AsArray();
        layers[0]!["weights"] = new JsonArray();
        layers[0]!["biases"] = new JsonArray([.. Enumerable.Range(0, 65536).Select(_ => (JsonNode?)JsonValue.Create(0))]);
        var e = Assert.Throws<DataFormatException>(() => EndModel.Load(Json(json)));
        Assert.Equal("weights", e.Column);
    }

    [Fact]
    public void HashedNGram_HugeDimension_IsADataError()
    {
        var json = FuzzSeeds.Json(FuzzSeeds.NGramModel.Save);
        json["dimension"] = 1 << 30;
        Assert.Throws<DataFormatException>(() => HashedNGramModel.Load(Json(json)));
        json["dimension"] = 99999999999999999999.0;
        Assert.Throws<DataFormatException>(() => HashedNGramModel.Load(Json(json)));
    }

    [Fact]
    public void DawidSkene_LfCountWhoseProductWraps_IsADataError()
    {
        var json = FuzzSeeds.Json(FuzzSeeds.DawidSkeneModel.Save);
        json["lfCount"] = int.MaxValue;
        Assert.Throws<DataFormatException>(() => LabelModel.Load(Json(json)));
    }

    [Fact]
    public void WrongJsonKinds_AreDataErrors()
    {
        var json = FuzzSeeds.Json(FuzzSeeds.MlpModel.Save);
        json["parameters"] = 5;
        Assert.Throws<DataFormatException>(() => EndModel.Load(Json(json)));
        var ngrams = FuzzSeeds.Json(FuzzSeeds.NGramModel.Save);
        ngrams["documentFrequencies"] = new JsonArray("a", "b");
        Assert.Throws<DataFormatException>(() => HashedNGramModel.Load(Json(ngrams)));
    }

    [Fact]
    public void Wrench_DuplicateIds_AreRejected()
    {
        using var dir = new Skein.Tests.IO.ScratchDirectory();
        var item = """{"label": 0, "weak_labels": [0, -1], "data": {"text": "x"}}""";
        var path = dir.WriteText("train.json", $$"""{"1": {{item}}, "2": {{item}}, "1": {{item}}}""");
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(path));
        Assert.Contains("item \"1\" appears twice (items 1 and 3)", e.Message, StringComparison.Ordinal);
    }
}
