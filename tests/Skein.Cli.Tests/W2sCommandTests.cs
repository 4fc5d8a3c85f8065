using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary><c>skein w2s</c> on small synthetic texts (TF-IDF models; one MiniLM run on a few dozen sentences).</summary>
public sealed class W2sCommandTests : IDisposable
{
    private static readonly string[] Positive = ["love", "great", "happy", "awesome", "fun", "best"];
    private static readonly string[] Negative = ["hate", "sad", "awful", "worst", "tired", "sick"];
    private static readonly string[] Filler = ["the", "my", "so", "just", "at", "with", "now", "and", "this", "today"];

    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A text,label CSV: a cue word or two among filler words; labels 0/4 (and 2 for every fifth row when asked).</summary>
    private string Csv(string name, int rows, int seed, bool neutral = false, string header = "text,label")
    {
        var random = new Random(seed);
        var lines = new List<string> { header };
        for (int i = 0; i < rows; i++)
        {
            int label = neutral && i % 5 == 4 ? 2 : i % 2 == 0 ? 0 : 4;
            var cues = label == 4 ? Positive : label == 0 ? Negative : Filler;
            var words = Enumerable.Range(0, 6).Select(j => j < 2 && random.NextDouble() < 0.8 ? cues[random.Next(cues.Length)] : Filler[random.Next(Filler.Length)]);
            lines.Add($"{string.Join(' ', words)},{label.ToString(CultureInfo.InvariantCulture)}");
        }

        return _dir.File(name, string.Join('\n', lines) + "\n");
    }


    private string[] Args(string loss, params string[] more) =>
        ["w2s", "--data", Csv("data.csv", 160, 1), "--text-column", "text", "--label-column", "label", "--test", Csv("test.csv", 60, 2),
            "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", loss, .. more];

    [Fact]
    public void Json_has_the_means_over_seeds_and_a_consistent_pgr()
    {
        var json = CliRun.Json(CliRun.Invoke(Args("xent", "--seeds", "2", "--json", "-q")));

        Assert.Equal(2, json.GetProperty("seeds").GetInt32());
        var perSeed = json.GetProperty("per_seed").EnumerateArray().ToArray();
        Assert.Equal(2, perSeed.Length);
        foreach (var key in new[] { "weak", "strong_ceiling", "weak_to_strong" })
        {
            double mean = json.GetProperty(key).GetDouble();
            Assert.InRange(mean, 0, 100);
            Assert.Equal(perSeed.Average(s => s.GetProperty(key).GetDouble()), mean, 3);
        }

        double weak = json.GetProperty("weak").GetDouble(), ceiling = json.GetProperty("strong_ceiling").GetDouble();
        var pgr = json.GetProperty("pgr");
        if (ceiling > weak)
        {
            Assert.Equal((json.GetProperty("weak_to_strong").GetDouble() - weak) / (ceiling - weak), pgr.GetDouble(), 3);
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, pgr.ValueKind);
        }

        Assert.Equal(["0", "4"], json.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("xent", json.GetProperty("loss").GetString());
    }

    [Fact]
    public void Aux_runs_and_the_same_arguments_give_the_same_output()
    {
        var first = CliRun.Invoke(Args("aux", "--seeds", "1", "--json", "-q"));
        var second = CliRun.Invoke(Args("aux", "--seeds", "1", "--json", "-q"));
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Output, second.Output);
        Assert.Equal("aux", CliRun.Json(first).GetProperty("loss").GetString());
    }

    [Fact]
    public void The_table_shows_each_seed_the_mean_and_progress_on_stderr()
    {
        var run = CliRun.Invoke(Args("xent", "--seeds", "2"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("weak-to-strong (xent)", run.Output);
        Assert.Contains("mean", run.Output);
        Assert.Contains("seed 1: weak", run.Error);
        Assert.Empty(CliRun.Invoke(Args("xent", "--seeds", "1", "-q")).Error);
    }

    [Fact]
    public void Headerless_latin1_sentiment140_files_are_read_by_column_index_with_one_warning()
    {
        var run = CliRun.Invoke("w2s", "--data", RepoPaths.Get("tests", "data", "w2s", "sentiment140-style-train.csv"),
            "--text-column", "5", "--label-column", "0", "--test", RepoPaths.Get("tests", "data", "w2s", "sentiment140-style-test.csv"),
            "--labels", "0,4", "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "xent", "--seeds", "2", "--json", "-q");

        var json = CliRun.Json(run);
        Assert.Equal(["0", "4"], json.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(48, json.GetProperty("data_rows").GetInt32()); // 72 rows, a third of them neutral (2) and dropped
        Assert.Equal(20, json.GetProperty("test_rows").GetInt32());
        var warnings = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, warnings.Length); // one per file
        Assert.All(warnings, w => Assert.Contains("not valid UTF-8; reading it as Latin-1", w));
    }

    [Fact]
    public void Max_rows_takes_a_stratified_subsample()
    {
        var json = CliRun.Json(CliRun.Invoke(Args("xent", "--seeds", "1", "--max-rows", "40", "--json", "-q")));
        Assert.Equal(40, json.GetProperty("data_rows").GetInt32());
    }

    [Fact]
    public void Labels_filter_data_and_test_and_test_columns_default_to_the_data_columns()
    {
        var data = Csv("neutral.csv", 150, 3, neutral: true, header: "tweet,polarity");
        var test = Csv("neutral-test.csv", 50, 4, neutral: true, header: "tweet,polarity");
        var json = CliRun.Json(CliRun.Invoke("w2s", "--data", data, "-t", "tweet", "--label-column", "polarity", "--test", test, "--labels", "4,0",
            "--weak", "softmax-tfidf", "--strong", "softmax-tfidf", "--loss", "xent", "--seeds", "1", "--json", "-q"));

        Assert.Equal(["4", "0"], json.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(120, json.GetProperty("data_rows").GetInt32());
        Assert.Equal(40, json.GetProperty("test_rows").GetInt32());
    }

    [Fact]
    public void Test_columns_can_differ_from_the_data_columns()
    {
        var test = Csv("other.csv", 40, 5, header: "body,y");
        var run = CliRun.Invoke("w2s", "--data", Csv("data.csv", 80, 1), "-t", "text", "--label-column", "label", "--test", test,
            "--test-text-column", "body", "--test-label-column", "y", "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "aux", "--seeds", "1", "-q");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public void Mlp_minilm_embeds_a_few_dozen_sentences()
    {
        var previous = Environment.GetEnvironmentVariable("SKEIN_EMBEDDING_CACHE");
        Environment.SetEnvironmentVariable("SKEIN_EMBEDDING_CACHE", _dir.Combine("cache"));
        try
        {
            var json = CliRun.Json(CliRun.Invoke("w2s", "--data", Csv("data.csv", 40, 1), "-t", "text", "--label-column", "label", "--test", Csv("test.csv", 16, 2),
                "--weak", "softmax-tfidf", "--strong", "mlp-minilm", "--loss", "aux", "--seeds", "1", "--json", "-q"));
            Assert.Equal("mlp-minilm", json.GetProperty("strong_model").GetString());
            Assert.InRange(json.GetProperty("strong_ceiling").GetDouble(), 0, 100);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SKEIN_EMBEDDING_CACHE", previous);
        }
    }

    [Theory]
    [InlineData("--weak", "bert")]
    [InlineData("--loss", "product")]
    [InlineData("--seeds", "0")]
    [InlineData("--labels", ",")]
    [InlineData("--max-rows", "1")]
    public void Usage_errors_exit_2(string option, string value)
    {
        var args = Args("xent").ToList();
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var run = CliRun.Invoke([.. args]);
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public void Aux_with_a_softmax_student_is_a_usage_error()
    {
        var args = Args("aux").Select(a => a == "mlp-tfidf" ? "softmax-tfidf" : a).ToArray();
        var run = CliRun.Invoke(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("needs an mlp strong model", run.Error);
    }

    [Theory]
    [InlineData("4,2")]
    [InlineData("4")]
    public void Labels_that_leave_one_class_are_named(string keep)
    {
        var run = CliRun.Invoke(Args("xent", "--labels", keep));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("leaves only rows labelled '4'", run.Error);
        Assert.Contains("data.csv", run.Error);
    }

    [Fact]
    public void A_label_named_in_labels_without_data_rows_is_an_error()
    {
        var run = CliRun.Invoke(Args("xent", "--labels", "0,4,9"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'9'", run.Error);
    }

    [Fact]
    public void A_test_label_the_data_never_has_is_named_with_file_row_and_column()
    {
        var test = _dir.File("bad-test.csv", "text,label\nlove it,4\nawful,0\nmeh,2\n");
        var run = CliRun.Invoke("w2s", "--data", Csv("data.csv", 40, 1), "-t", "text", "--label-column", "label", "--test", test,
            "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "xent");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("bad-test.csv", run.Error);
        Assert.Contains("label '2' never occurs in the data", run.Error);
        Assert.Contains("row 3", run.Error);
        Assert.Contains("label", run.Error);
    }

    [Fact]
    public void Too_few_rows_for_both_halves_is_an_error()
    {
        var data = _dir.File("tiny.csv", "text,label\nlove it,4\nawful,0\nhate this,0\n");
        var run = CliRun.Invoke("w2s", "--data", data, "-t", "text", "--label-column", "label", "--test", Csv("test.csv", 10, 2),
            "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "xent");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("label '4' has 1 data row(s)", run.Error);
    }

    [Fact]
    public void Missing_columns_and_out_of_range_indices_exit_1()
    {
        var missing = CliRun.Invoke("w2s", "--data", Csv("data.csv", 20, 1), "-t", "body", "--label-column", "label", "--test", Csv("test.csv", 10, 2),
            "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "xent");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("missing required column 'body'", missing.Error);

        var index = CliRun.Invoke("w2s", "--data", RepoPaths.Get("tests", "data", "w2s", "sentiment140-style-train.csv"), "-t", "9", "--label-column", "0",
            "--test", RepoPaths.Get("tests", "data", "w2s", "sentiment140-style-test.csv"), "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "xent");
        Assert.Equal(1, index.ExitCode);
        Assert.Contains("column index 9 is out of range", index.Error);

        var gone = CliRun.Invoke(Args("xent").Select(a => a.EndsWith("test.csv", StringComparison.Ordinal) ? _dir.Combine("nope.csv") : a).ToArray());
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("file not found", gone.Error);
    }

    [Fact]
    public void A_utf8_file_gets_no_warning()
    {
        var data = _dir.File("utf8.csv", Encoding.UTF8.GetBytes(File.ReadAllText(Csv("plain.csv", 40, 1)).Replace("the", "café", StringComparison.Ordinal)));
        var run = CliRun.Invoke("w2s", "--data", data, "-t", "text", "--label-column", "label", "--test", Csv("test.csv", 16, 2),
            "--weak", "softmax-tfidf", "--strong", "mlp-tfidf", "--loss", "xent", "--seeds", "1", "-q");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("Latin-1", run.Error);
    }
}
