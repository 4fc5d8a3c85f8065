using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary><c>skein wrench --end-model</c> on a small synthetic WRENCH folder with texts (the in-repo fixtures have none).</summary>
public sealed class WrenchEndModelTests : IDisposable
{
    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Two keyword LFs ("prize", "dinner") cover part of the rows; other class words co-occur, so the end model can
    // label rows the LFs miss.
    private string Folder(bool withTest = true, bool dropText = false)
    {
        string[] spam = ["prize", "win", "free", "cash", "claim", "urgent"];
        string[] ham = ["dinner", "later", "thanks", "home", "tonight", "mum"];
        var random = new Random(11);
        string Split(int n, bool noText)
        {
            var items = new Dictionary<string, object>();
            for (int i = 0; i < n; i++)
            {
                int y = random.Next(2);
                var words = y == 1 ? spam : ham;
                var text = string.Join(' ', Enumerable.Range(0, 4).Select(_ => words[random.Next(words.Length)]));
                int[] votes = [text.Contains("prize", StringComparison.Ordinal) ? 1 : -1, text.Contains("dinner", StringComparison.Ordinal) ? 0 : -1];
                items[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = noText && i == 3
                    ? new { label = y, weak_labels = votes, data = new { } }
                    : new { label = y, weak_labels = votes, data = new { text } };
            }

            return JsonSerializer.Serialize(items);
        }

        var dir = _dir.Combine("wrench_toy");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "train.json"), Split(300, false));
        File.WriteAllText(Path.Combine(dir, "valid.json"), Split(60, dropText));
        if (withTest)
        {
            File.WriteAllText(Path.Combine(dir, "test.json"), Split(60, false));
        }

        return dir;
    }


    [Theory]
    [InlineData("softmax")]
    [InlineData("mlp")]
    public void EndModel_AddsValidAndTestScores_AboveTheLabelModel(string model)
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(), "-m", "mv", "--end-model", model, "--features", "tfidf", "--seed", "1", "--json", "-q"));
        Assert.Equal(model, json.GetProperty("end_model").GetString());
        Assert.Equal("tfidf", json.GetProperty("features").GetString());
        double valid = json.GetProperty("end_model_valid").GetDouble(), test = json.GetProperty("end_model_test").GetDouble();
        Assert.True(valid >= 95 && test >= 95, json.ToString());
        Assert.True(test > json.GetProperty("test").GetDouble(), json.ToString());
    }

    [Fact]
    public void EndModel_TestIsNullWithoutTestJson()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(withTest: false), "-m", "mv", "--end-model", "softmax", "--json", "-q"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("end_model_test").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("end_model_valid").ValueKind);
    }

    [Fact]
    public void WithoutEndModel_TheJsonIsUnchanged()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Folder(), "-m", "mv", "--json", "-q"));
        Assert.False(json.TryGetProperty("end_model_valid", out _));
    }

    [Fact]
    public void MissingText_IsDataErrorNamingTheItem()
    {
        var run = CliRun.Invoke("wrench", Folder(dropText: true), "-m", "mv", "--end-model", "softmax", "--json", "-q");
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("valid.json", run.Error, StringComparison.Ordinal);
        Assert.Contains("row 4", run.Error, StringComparison.Ordinal);
        Assert.Contains("data.text", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData("--end-model", "svm")]
    [InlineData("--features", "bow")]
    public void UnknownName_IsUsageError(string option, string value)
    {
        string[] args = ["wrench", _dir.Path, "-m", "mv", "--end-model", "softmax", "--features", "tfidf"];
        args[Array.IndexOf(args, option) + 1] = value;
        var run = CliRun.Invoke(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(value, run.Error, StringComparison.Ordinal);
    }
}
