using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Skein.Cli.Tests;

/// <summary>
/// <c>--end-model finetune</c> (wrench) and <c>--model finetune</c> (train/predict) on a tiny WRENCH youtube subset:
/// the real MiniLM with only its top block trained, one epoch, a few COSINE steps — seconds, not minutes.
/// </summary>
public sealed class FineTuneCommandTests : IDisposable
{
    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>train/valid/test of 48/24/24 rows cut from the bundled WRENCH youtube train split.</summary>
    private string Wrench()
    {
        var path = Path.Combine(RepoPaths.Root, "tests", "data", "youtube", "wrench_youtube_train.json");
        var rows = JsonNode.Parse(File.ReadAllText(path))!.AsObject().Select(p => p.Value!.DeepClone()).ToArray();
        string dir = _dir.Combine("youtube");
        Directory.CreateDirectory(dir);
        void Write(string name, int start, int count)
        {
            var split = new JsonObject();
            for (int i = 0; i < count; i++)
            {
                split[(start + i).ToString(CultureInfo.InvariantCulture)] = rows[start + i].DeepClone();
            }

            File.WriteAllText(Path.Combine(dir, name), split.ToJsonString());
        }

        Write("train.json", 0, 48);
        Write("valid.json", 48, 24);
        Write("test.json", 72, 24);
        return dir;
    }

    [Fact]
    public void WrenchFineTuneWithCosineReportsBothStages()
    {
        var run = CliRun.Invoke("wrench", Wrench(), "-m", "mv", "--end-model", "finetune", "--freeze-layers", "5", "--epochs", "1",
            "--cosine", "--cosine-steps", "4", "--seed", "1", "--json");
        var json = CliRun.Json(run);
        Assert.Equal("finetune", json.GetProperty("end_model").GetString());
        Assert.Equal("valid.json", json.GetProperty("valid_source").GetString());
        foreach (var name in new[] { "end_model_valid", "end_model_test", "cosine_valid", "cosine_test" })
        {
            Assert.InRange(json.GetProperty(name).GetDouble(), 0, 100);
        }

        Assert.Equal(json.GetProperty("valid").GetDouble(), json.GetProperty("label_model_selection_valid").GetDouble());
        Assert.Equal(5, json.GetProperty("end_model_settings").GetProperty("freeze_layers").GetInt32());
        Assert.Contains("stage 1 epoch 1 check 1/", run.Error, StringComparison.Ordinal);
        // 64 tokens cut several of these comments: said once.
        Assert.Single(run.Error.Split('\n'), l => l.Contains("truncated", StringComparison.Ordinal));
    }

    [Fact]
    public void TrainFineTuneThenPredictWithTheBundle()
    {
        var dir = Wrench();
        var rows = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "train.json")))!.AsObject().Select(p => p.Value!).Take(32).ToArray();
        var csv = new StringBuilder("text\n");
        var probs = new StringBuilder("p0,p1\n");
        foreach (var row in rows)
        {
            csv.Append('"').Append(row["data"]!["text"]!.GetValue<string>().Replace("\"", "\"\"", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)).Append("\"\n");
            probs.Append(row["label"]!.GetValue<int>() == 1 ? "0.1,0.9\n" : "0.8,0.2\n");
        }

        string data = _dir.File("texts.csv", csv.ToString()), labels = _dir.File("probs.csv", probs.ToString()), bundle = _dir.Combine("model");
        var train = CliRun.Invoke("train", "--data", data, "--text-column", "text", "--labels", labels, "--model", "finetune",
            "--freeze-layers", "5", "--epochs", "1", "--out", bundle);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(File.Exists(Path.Combine(bundle, "classifier.json")));

        string output = _dir.Combine("out.csv");
        var predict = CliRun.Invoke("predict", "--data", data, "--model", bundle, "--out", output, "--quiet");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var lines = File.ReadAllLines(output);
        Assert.Equal(rows.Length + 1, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Equal(1.0, l.Split(',').Sum(v => double.Parse(v, CultureInfo.InvariantCulture)), 5));

        // An empty class: every row labelled 0 → exit 1 naming the class, no bundle.
        string zero = _dir.File("zero.csv", "p0,p1\n" + string.Concat(Enumerable.Repeat("0.9,0.1\n", rows.Length)));
        var empty = CliRun.Invoke("train", "--data", data, "--text-column", "text", "--labels", zero, "--model", "finetune",
            "--freeze-layers", "5", "--epochs", "1", "--out", _dir.Combine("empty"), "--quiet");
        Assert.True(empty.ExitCode == 1, empty.ToString());
        Assert.Contains("Class 1", empty.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("empty")));
    }

    [Theory]
    [InlineData("--freeze-layers", "2")]
    [InlineData("--cosine")]
    [InlineData("--refine", "gmm")]
    public void FineTuneSwitchesNeedTheFineTuneModel(params string[] option)
    {
        var run = CliRun.Invoke(["wrench", _dir.Path, "-m", "mv", "--end-model", "softmax", .. option]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("finetune", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FreezeLayersOutOfRangeIsAUsageError()
    {
        var run = CliRun.Invoke("wrench", Wrench(), "-m", "mv", "--end-model", "finetune", "--freeze-layers", "7");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--freeze-layers 7", run.Error, StringComparison.Ordinal);
    }
}
