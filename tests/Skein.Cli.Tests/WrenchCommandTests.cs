using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>
/// <c>skein wrench</c> on the in-repo fixtures (tests/data/wrench). Expected scores are those of
/// tests/data/wrench/wrench_reference.py, an independent Python transcription of WRENCH.
/// </summary>
public sealed class WrenchCommandTests : IDisposable
{
    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "data", "wrench", name);


    private static void AssertDataError(CliRun run, params string[] mentions)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Empty(run.Output);
        foreach (var m in mentions)
        {
            Assert.Contains(m, run.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    /// <summary>A copy of a fixture without some of its files.</summary>
    private string CopyFixture(string name, params string[] without)
    {
        var target = _dir.Combine(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Fixture(name)))
        {
            if (!without.Contains(Path.GetFileName(file)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return target;
    }

    [Fact]
    public void Json_has_exactly_the_six_fields_of_the_issue()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Fixture("sms"), "--label-model", "mv", "--json", "--quiet"));

        Assert.Equal(["dataset", "label_model", "metric", "valid", "test", "fit_seconds"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("sms", json.GetProperty("dataset").GetString());
        Assert.Equal("mv", json.GetProperty("label_model").GetString());
        Assert.Equal("f1", json.GetProperty("metric").GetString());
        Assert.Equal(16.216216216216218, json.GetProperty("valid").GetDouble(), 1e-9);
        Assert.Equal(23.880597014925375, json.GetProperty("test").GetDouble(), 1e-9);
        Assert.True(json.GetProperty("fit_seconds").GetDouble() >= 0);
    }

    [Theory]
    [InlineData("trec", "ds", 52.0, 51.333333333333336)]
    [InlineData("trec", "wmv", 50.0, 53.333333333333336)]
    [InlineData("sms", "wmv", 16.666666666666668, 23.880597014925375)]
    public void Scores_match_the_python_reference(string set, string model, double valid, double test)
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Fixture(set), "-m", model, "--json", "-q"));

        Assert.Equal(valid, json.GetProperty("valid").GetDouble(), 1e-9);
        Assert.Equal(test, json.GetProperty("test").GetDouble(), 1e-9);
    }

    [Fact]
    public void No_valid_json_gives_null_valid_and_says_the_balance_is_uniform()
    {
        var run = CliRun.Invoke("wrench", Fixture("youtube"), "--label-model", "wmv", "--json");
        var json = CliRun.Json(run);

        Assert.Equal(JsonValueKind.Null, json.GetProperty("valid").ValueKind);
        Assert.Equal(79.33333333333333, json.GetProperty("test").GetDouble(), 1e-9);
        Assert.Contains("class balance uniform", run.Error, StringComparison.Ordinal);
        Assert.Contains("50 labeled ids dropped", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_test_json_gives_null_test()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", CopyFixture("trec", "test.json"), "-m", "mv", "--json", "-q"));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("test").ValueKind);
        Assert.Equal(52.666666666666664, json.GetProperty("valid").GetDouble(), 1e-9);
    }

    [Fact]
    public void Metric_option_overrides_the_data_set_default()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Fixture("sms"), "-m", "mv", "--metric", "acc", "--json", "-q"));

        Assert.Equal("acc", json.GetProperty("metric").GetString());
        Assert.True(json.GetProperty("valid").GetDouble() > 50);
    }

    [Fact]
    public void Drop_labeled_ids_no_keeps_the_exemplars()
    {
        var json = CliRun.Json(CliRun.Invoke("wrench", Fixture("trec"), "-m", "ds", "--drop-labeled-ids", "no", "--json", "-q"));

        Assert.Equal(49.333333333333336, json.GetProperty("valid").GetDouble(), 1e-9);
        Assert.Equal(54.666666666666664, json.GetProperty("test").GetDouble(), 1e-9);
    }

    [Fact]
    public void Table_without_json()
    {
        var run = CliRun.Invoke("wrench", Fixture("trec"), "-m", "mv", "-q");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("valid", run.Output, StringComparison.Ordinal);
        Assert.Contains("52.67", run.Output, StringComparison.Ordinal);
        Assert.Contains("55.33", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_of_a_model_without_hyper_parameters_runs_once()
    {
        var run = CliRun.Invoke("wrench", Fixture("trec"), "-m", "mv", "--search", "--json");

        Assert.Equal(52.666666666666664, CliRun.Json(run).GetProperty("valid").GetDouble(), 1e-9);
        Assert.Contains("defaults (no search space)", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dp")]
    [InlineData("metal")]
    [InlineData("fs")]
    public void Every_generative_model_scores_valid_and_test_reproducibly(string model)
    {
        var first = CliRun.Json(CliRun.Invoke("wrench", Fixture("trec"), "-m", model, "--seed", "3", "--json"));
        var second = CliRun.Json(CliRun.Invoke("wrench", Fixture("trec"), "-m", model, "--seed", "3", "--json"));

        Assert.InRange(first.GetProperty("valid").GetDouble(), 0, 100);
        Assert.InRange(first.GetProperty("test").GetDouble(), 0, 100);
        Assert.Equal(first.GetProperty("valid").GetDouble(), second.GetProperty("valid").GetDouble());
        Assert.Equal(first.GetProperty("test").GetDouble(), second.GetProperty("test").GetDouble());
    }

    [Fact]
    public void Unknown_model_is_a_usage_error()
    {
        var run = CliRun.Invoke("wrench", Fixture("trec"), "-m", "snorkel");
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Theory]
    [InlineData("--metric", "auc")]
    [InlineData("--drop-labeled-ids", "maybe")]
    public void Bad_option_values_are_usage_errors(string option, string value)
    {
        var run = CliRun.Invoke("wrench", Fixture("trec"), "-m", "mv", option, value);
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public void Missing_label_model_is_a_usage_error() =>
        Assert.Equal(2, CliRun.Invoke("wrench", Fixture("trec")).ExitCode);

    [Fact]
    public void Missing_directory_is_a_data_error() =>
        AssertDataError(CliRun.Invoke("wrench", _dir.Combine("nope"), "-m", "mv"), "nope", "not found");

    [Fact]
    public void Missing_train_json_is_a_data_error() =>
        AssertDataError(CliRun.Invoke("wrench", CopyFixture("trec", "train.json"), "-m", "mv"), "train.json", "not found");

    [Fact]
    public void Search_without_valid_json_is_a_data_error() =>
        AssertDataError(CliRun.Invoke("wrench", Fixture("youtube"), "-m", "mv", "--search"), "valid.json");

    [Fact]
    public void Valid_missing_a_class_is_a_data_error()
    {
        var dir = CopyFixture("trec", "valid.json");
        File.WriteAllText(Path.Combine(dir, "valid.json"), """{"0": {"label": 0, "weak_labels": [""" + string.Join(",", Enumerable.Repeat(-1, 68)) + "]}}");

        AssertDataError(CliRun.Invoke("wrench", dir, "-m", "wmv"), "valid.json", "every class must appear");
    }

    [Fact]
    public void Mismatched_lf_counts_are_a_data_error()
    {
        var dir = CopyFixture("trec", "test.json");
        File.WriteAllText(Path.Combine(dir, "test.json"), """{"0": {"label": 0, "weak_labels": [-1, 0]}}""");

        AssertDataError(CliRun.Invoke("wrench", dir, "-m", "mv"), "test.json", "same LFs");
    }

    [Fact]
    public void F1_on_a_multiclass_set_is_a_data_error() =>
        AssertDataError(CliRun.Invoke("wrench", Fixture("trec"), "-m", "mv", "--metric", "f1"), "6 classes");

    [Fact]
    public void Fewer_than_three_lfs_for_a_model_that_needs_three()
    {
        var dir = _dir.Combine("two_lfs");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "train.json"), """{"0": {"label": 0, "weak_labels": [0, -1]}, "1": {"label": 1, "weak_labels": [1, 1]}}""");
        File.WriteAllText(Path.Combine(dir, "valid.json"), """{"0": {"label": 0, "weak_labels": [0, 0]}, "1": {"label": 1, "weak_labels": [1, -1]}}""");

        AssertDataError(CliRun.Invoke("wrench", dir, "-m", "metal"), "at least 3 LFs");
        AssertDataError(CliRun.Invoke("wrench", dir, "-m", "fs"), "at least 3 LFs");
        Assert.Equal(0, CliRun.Invoke("wrench", dir, "-m", "mv", "-q").ExitCode);
    }
}
