using System.Globalization;
using System.Text.Json;
using Skein.EndModels;
using Skein.Evaluation;
using Skein.Pipeline;
using Skein.Training;

namespace Skein.Cli.Tests;

/// <summary><c>skein wrench --end-model … --self-train</c> on a small synthetic WRENCH folder with texts.</summary>
public sealed class WrenchSelfTrainingTests : IDisposable
{
    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Each class has "A" words (with the LF keyword, always covered) and "B" words (never with the keyword). A third of the
    // documents are A-only (covered), a third mix A and B, a third are B-only (both uncovered). The end model, trained on
    // covered rows, never sees a B word; self-training labels the mixed pool rows from their A words and so learns B.
    private string Folder(bool withTest = true)
    {
        string[][] a = [["dinner", "later", "thanks", "home"], ["prize", "winner", "free", "cash"]];
        string[][] b = [["sofa", "kettle", "garden", "puppy"], ["bitcoin", "lottery", "voucher", "jackpot"]];
        string[] keyword = ["dinner", "prize"];
        var random = new Random(5);
        string Split(int n)
        {
            var items = new Dictionary<string, object>();
            for (int i = 0; i < n; i++)
            {
                int y = random.Next(2), mode = random.Next(3);
                var words = mode switch
                {
                    0 => [keyword[y], .. Enumerable.Range(0, 3).Select(_ => a[y][1 + random.Next(3)])],
                    1 => [.. Enumerable.Range(0, 2).Select(_ => a[y][1 + random.Next(3)]), .. Enumerable.Range(0, 2).Select(_ => b[y][random.Next(4)])],
                    _ => Enumerable.Range(0, 4).Select(_ => b[y][random.Next(4)]).ToArray(),
                };
                var text = string.Join(' ', words);
                int[] votes = [text.Contains("dinner", StringComparison.Ordinal) ? 0 : -1, text.Contains("prize", StringComparison.Ordinal) ? 1 : -1];
                items[i.ToString(CultureInfo.InvariantCulture)] = new { label = y, weak_labels = votes, data = new { text } };
            }

            return JsonSerializer.Serialize(items);
        }

        var dir = _dir.Combine("wrench_toy");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "train.json"), Split(600));
        File.WriteAllText(Path.Combine(dir, "valid.json"), Split(90));
        if (withTest)
        {
            File.WriteAllText(Path.Combine(dir, "test.json"), Split(300));
        }

        return dir;
    }


    [Fact]
    public void SelfTraining_learns_the_words_the_lfs_never_cover()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", "softmax", "--self-train", "--self-train-threshold", "0.6",
            "--seed", "1", "--json", "-q"));
        double endTest = json.GetProperty("end_model_test").GetDouble(), selfTest = json.GetProperty("self_trained_test").GetDouble();
        double endValid = json.GetProperty("end_model_valid").GetDouble(), selfValid = json.GetProperty("self_trained_valid").GetDouble();
        Assert.True(selfTest > endTest + 10 && selfValid > endValid + 10, json.ToString());
        int pool = json.GetProperty("self_train_pool_rows").GetInt32();
        Assert.InRange(pool, 300, 500); // about two thirds of 600 are uncovered
        Assert.InRange(json.GetProperty("self_train_pseudo_labeled_rows").GetInt32(), pool / 2, pool);
        Assert.True(json.GetProperty("self_train_iterations").GetInt32() >= 1, json.ToString());
    }

    [Fact]
    public void Test_score_is_null_without_test_json()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(withTest: false), "-m", "mv", "--end-model", "softmax", "--self-train", "--json", "-q"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("self_trained_test").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("self_trained_valid").ValueKind);
    }

    [Fact]
    public void The_candidate_with_the_best_valid_score_is_kept()
    {
        var dir = Folder();
        // One pool row in one round is almost no self-training, θ = 0.5 takes the whole pool: the pool's B words make them
        // score apart on valid.
        var strict = new SelfTrainingOptions { Selection = PseudoLabelSelection.TopKPerClass, RowsPerRound = 1, MaxIterations = 1 };
        var loose = new SelfTrainingOptions { Threshold = 0.5, MaxIterations = 3 };
        WrenchSelfTrainingResult Run(params SelfTrainingOptions[] candidates) => WrenchProtocol.Run(dir, new WrenchProtocolOptions
        {
            Model = LabelModelCatalog.Get("mv"),
            EndModel = new WrenchEndModelOptions
            {
                Name = "softmax",
                FeaturesName = "tfidf",
                Featurizer = Featurizer.TfIdf<string>(text => text),
                Trainers = [new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 0 })],
                SelfTraining = candidates,
            },
        }).EndModel!.SelfTraining!;

        var alone = new[] { Run(strict), Run(loose) };
        var both = Run(strict, loose);

        Assert.NotEqual(alone[0].Valid, alone[1].Valid);
        var better = alone[0].Valid >= alone[1].Valid ? alone[0] : alone[1];
        Assert.Equal(better.Valid, both.Valid);
        Assert.Equal(better.Test, both.Test);
        Assert.Same(better.Valid == alone[0].Valid ? strict : loose, both.Options);
    }

    [Fact]
    public void Soft_or_hard_labels_keep_the_better_valid_score()
    {
        var dir = Folder();
        WrenchEndModelResult Run(WrenchEndModelLabels labels) => WrenchProtocol.Run(dir, new WrenchProtocolOptions
        {
            Model = LabelModelCatalog.Get("mv"),
            EndModel = new WrenchEndModelOptions
            {
                Name = "softmax",
                FeaturesName = "tfidf",
                Featurizer = Featurizer.TfIdf<string>(text => text),
                Trainers = [new SoftmaxRegression(new SoftmaxRegressionOptions { Seed = 0, MaxIterations = 20 })],
                Labels = labels,
            },
        }).EndModel!;

        var soft = Run(WrenchEndModelLabels.Soft);
        var hard = Run(WrenchEndModelLabels.Hard);
        var either = Run(WrenchEndModelLabels.SoftOrHard);

        Assert.False(soft.HardLabels);
        Assert.True(hard.HardLabels);
        var better = hard.Valid > soft.Valid ? hard : soft;
        Assert.Equal(better.Valid, either.Valid);
        Assert.Equal(better.Test, either.Test);
        Assert.Equal(better.HardLabels, either.HardLabels);
    }

    [Fact]
    public void The_kept_setting_is_reported()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", "softmax", "--self-train", "--json", "-q"));
        Assert.Contains(json.GetProperty("self_train_selection").GetString(), new[] { "TopKPerClass", "ClassAdaptive", "FixedThreshold" });
    }

    [Fact]
    public void Table_has_a_self_trained_line()
    {
        var run = CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", "softmax", "--self-train", "-q");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("self-trained", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_self_train_the_json_has_no_self_training_keys()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", "softmax", "--json", "-q"));
        Assert.False(json.TryGetProperty("self_trained_valid", out _));
    }

    [Fact]
    public void Self_train_without_an_end_model_is_a_usage_error()
    {
        var run = CliRun.Invoke("wrench", Folder(), "-m", "mv", "--self-train", "--json", "-q");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--end-model", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void Threshold_without_self_train_is_a_usage_error()
    {
        var run = CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", "softmax", "--self-train-threshold", "0.8", "-q");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--self-train", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    public void Threshold_outside_zero_one_is_a_usage_error(string threshold)
    {
        var run = CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", "softmax", "--self-train", "--self-train-threshold", threshold, "--json", "-q");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--self-train-threshold", run.Error, StringComparison.Ordinal);
        Assert.Contains("[0, 1]", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }
}
