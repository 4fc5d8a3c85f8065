using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary><c>skein train</c> and <c>skein predict</c>: round trip, determinism, and every bad input (exit 1 or 2, no file).</summary>
public sealed class TrainPredictTests : IDisposable
{
    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // Spam-like texts: class 1 mentions prizes and links, class 0 is chat. Soft labels are confident but not one-hot.
    private static (string Csv, string Probs, int[] Gold) Task(int n, int seed)
    {
        string[] spam = ["win", "prize", "free", "click", "http://x.co", "claim", "cash"];
        string[] ham = ["see", "you", "later", "dinner", "tonight", "thanks", "love"];
        var random = new Random(seed);
        var csv = new StringBuilder("id,text\n");
        var probs = new StringBuilder("p0,p1\n");
        var gold = new int[n];
        for (int i = 0; i < n; i++)
        {
            gold[i] = random.Next(2);
            var words = gold[i] == 1 ? spam : ham;
            var text = string.Join(' ', Enumerable.Range(0, 5).Select(_ => words[random.Next(words.Length)]));
            csv.Append(CultureInfo.InvariantCulture, $"{i},\"{text}\"\n");
            probs.Append(gold[i] == 1 ? "0.2,0.8\n" : "0.85,0.15\n");
        }

        return (csv.ToString(), probs.ToString(), gold);
    }

    private CliRun Train(string model = "softmax", string? data = null, string? labels = null, params string[] extra)
    {
        var (csv, probs, _) = Task(200, 1);
        var args = new List<string>
        {
            "train", "--data", data ?? _dir.File("train.csv", csv), "--text-column", "text",
            "--labels", labels ?? _dir.File("probs.csv", probs), "--features", "tfidf", "--model", model,
            "--out", _dir.Combine("model.json"), "--quiet",
        };
        args.AddRange(extra);
        return CliRun.Invoke([.. args]);
    }

    private void AssertFails(CliRun run, int code, string output, params string[] mentions)
    {
        Assert.True(run.ExitCode == code, run.ToString());
        foreach (var m in mentions)
        {
            Assert.Contains(m, run.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_dir.Entries(), e => e == output || e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("mlp")]
    public void TrainThenPredict_LearnsTheTask(string model)
    {
        var run = Train(model);
        Assert.True(run.ExitCode == 0, run.ToString());
        using (var bundle = JsonDocument.Parse(File.ReadAllText(_dir.Combine("model.json"))))
        {
            Assert.Equal("skein.text-model", bundle.RootElement.GetProperty("format").GetString());
            Assert.Equal(1, bundle.RootElement.GetProperty("version").GetInt32());
            Assert.Equal("tfidf", bundle.RootElement.GetProperty("features").GetProperty("kind").GetString());
        }

        var (csv, _, gold) = Task(100, 2);
        var predict = CliRun.Invoke("predict", "--data", _dir.File("new.csv", csv), "--model", _dir.Combine("model.json"),
            "--out", _dir.Combine("out.csv"), "--quiet");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var rows = File.ReadAllLines(_dir.Combine("out.csv"));
        Assert.Equal("p0,p1", rows[0]);
        Assert.Equal(101, rows.Length);
        var predicted = rows.Skip(1).Select(r => r.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .Select(p => p[1] > p[0] ? 1 : 0).ToArray();
        Assert.True(predicted.Zip(gold).Count(p => p.First == p.Second) >= 95);
    }

    [Fact]
    public void Train_IsDeterministicPerSeed()
    {
        Assert.Equal(0, Train("mlp", extra: ["--seed", "3"]).ExitCode);
        var first = File.ReadAllText(_dir.Combine("model.json"));
        Assert.Equal(0, Train("mlp", extra: ["--seed", "3"]).ExitCode);
        Assert.Equal(first, File.ReadAllText(_dir.Combine("model.json")));
    }

    [Fact]
    public void Train_MissingTextColumn_IsDataError() =>
        AssertFails(Train(data: _dir.File("t.csv", "id,body\n1,hello\n")), 1, "model.json", "t.csv", "'text'", "body");

    [Fact]
    public void Train_EmptyText_NamesRowAndColumn() =>
        AssertFails(Train(data: _dir.File("t.csv", "id,text\n1,hello\n2,\n3,bye\n")), 1, "model.json", "t.csv", "row 2", "column 'text'", "empty");

    [Fact]
    public void Train_LabelRowCountMismatch_IsDataError() =>
        AssertFails(Train(labels: _dir.File("p.csv", "p0,p1\n0.5,0.5\n")), 1, "model.json", "p.csv", "1 probability rows but 200 data rows");

    [Fact]
    public void Train_RowNotSummingToOne_NamesRow() =>
        AssertFails(Train(labels: _dir.File("p.csv", "p0,p1\n0.5,0.5\n0.7,0.7\n")), 1, "model.json", "p.csv", "row 2", "sum to");

    [Theory]
    [InlineData("--features", "bow")]
    [InlineData("--model", "svm")]
    public void Train_UnknownName_IsUsageError(string option, string value)
    {
        var args = new List<string>
        {
            "train", "--data", "x.csv", "--text-column", "text", "--labels", "p.csv", "--features", "tfidf", "--model", "softmax",
            "--out", _dir.Combine("model.json"),
        };
        args[args.IndexOf(option) + 1] = value;
        AssertFails(CliRun.Invoke([.. args]), 2, "model.json", value);
    }

    [Fact]
    public void Train_BadValidFraction_IsUsageError() =>
        AssertFails(Train(extra: ["--valid-fraction", "0.9"]), 2, "model.json", "--valid-fraction");

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"format\": \"skein.end-model\", \"version\": 1}")]
    [InlineData("{\"format\": \"skein.text-model\", \"version\": 99}")]
    [InlineData("{\"format\": \"skein.text-model\", \"version\": 1, \"textColumn\": \"text\", \"features\": {\"kind\": \"tfidf\"}, \"endModel\": {}}")]
    public void Predict_CorruptModel_IsDataError(string contents)
    {
        var model = _dir.File("bad.json", contents);
        var run = CliRun.Invoke("predict", "--data", _dir.File("t.csv", "text\nhello\n"), "--model", model, "--out", _dir.Combine("out.csv"));
        AssertFails(run, 1, "out.csv", "bad.json");
    }

    [Fact]
    public void Predict_TruncatedModel_IsDataError()
    {
        Assert.Equal(0, Train().ExitCode);
        var text = File.ReadAllText(_dir.Combine("model.json"));
        var model = _dir.File("cut.json", text[..(text.Length / 2)]);
        var run = CliRun.Invoke("predict", "--data", _dir.File("t.csv", "text\nhello\n"), "--model", model, "--out", _dir.Combine("out.csv"));
        AssertFails(run, 1, "out.csv", "cut.json");
    }

    [Fact]
    public void Predict_MissingColumnOrEmptyText_IsDataError()
    {
        Assert.Equal(0, Train().ExitCode);
        var model = _dir.Combine("model.json");
        AssertFails(CliRun.Invoke("predict", "--data", _dir.File("a.csv", "body\nhello\n"), "--model", model, "--out", _dir.Combine("out.csv")),
            1, "out.csv", "a.csv", "'text'");
        AssertFails(CliRun.Invoke("predict", "--data", _dir.File("b.csv", "text\nhello\n\"  \"\n"), "--model", model, "--out", _dir.Combine("out.csv")),
            1, "out.csv", "b.csv", "row 2");
    }

    [Fact]
    public void NonFiniteEmbeddings_NameTheDataRow()
    {
        float[][] vectors = [[0f, 1f], [1f, 0f], [0f, float.NaN]];
        var e = Assert.Throws<Skein.IO.DataFormatException>(() => Commands.EndModelFactory.RequireFinite(vectors, "d.csv", "text"));
        Assert.Contains("d.csv, row 3, column 'text'", e.Message, StringComparison.Ordinal);
        Commands.EndModelFactory.RequireFinite([[0f, float.MaxValue]], "d.csv", "text");
    }
}
