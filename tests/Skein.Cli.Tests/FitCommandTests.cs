using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary><c>skein fit</c>: JSON shape, probabilities file, accuracy with gold, and every bad input (exit 1, no file).</summary>
public sealed class FitCommandTests : IDisposable
{
    // Row 2 is a 1-1 tie (vote shares 0.5/0.5): argmax goes to class 0. Row 3 is uncovered (uniform → class 0).
    private const string Votes = "0,0,-1\n1,1,1\n0,1,-1\n-1,-1,-1\n1,-1,1\n";
    private const string Gold = "0\n1\n0\n1\n1\n";

    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private CliRun Fit(params string[] extra)
    {
        var args = new List<string> { "fit", "--votes", _dir.File("votes.csv", Votes), "--out", _dir.Combine("probs.csv") };
        args.AddRange(extra);
        return CliRun.Invoke([.. args]);
    }


    private void AssertDataError(CliRun run, params string[] mentions) => AssertError(run, 1, mentions);

    private void AssertUsageError(CliRun run, params string[] mentions) => AssertError(run, 2, mentions);

    private void AssertError(CliRun run, int exitCode, params string[] mentions)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        foreach (var m in mentions)
        {
            Assert.Contains(m, run.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_dir.Entries(), e => e == "probs.csv" || e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_has_exactly_the_fields_of_the_issue()
    {
        var json = CliRun.Json(Fit("-k", "2", "--model", "mv", "--gold", _dir.File("gold.csv", Gold), "--json"));

        Assert.Equal(["model", "n", "m", "k", "fit_seconds", "predict_seconds", "accuracy", "covered_calibration",
            "class_prior", "weights", "warnings"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("mv", json.GetProperty("model").GetString());
        Assert.Equal((5, 3, 2), (json.GetProperty("n").GetInt32(), json.GetProperty("m").GetInt32(), json.GetProperty("k").GetInt32()));
        Assert.True(json.GetProperty("fit_seconds").GetDouble() >= 0);
        Assert.True(json.GetProperty("predict_seconds").GetDouble() >= 0);

        // Predictions 0, 1, 0 (tie → lower class), 0 (uniform → lower class), 1 against gold 0, 1, 0, 1, 1.
        Assert.Equal(0.8, json.GetProperty("accuracy").GetDouble(), 1e-12);
    }

    [Fact]
    public void Gold_adds_calibration_on_the_covered_rows()
    {
        var json = CliRun.Json(Fit("-k", "2", "--model", "mv", "--gold", _dir.File("gold.csv", Gold), "--json"));
        var c = json.GetProperty("covered_calibration");

        // Covered rows 0, 1, 2, 4 (row 3 abstains everywhere): vote shares [1,0], [0,1], [.5,.5], [0,1], all argmaxes right.
        Assert.Equal(4, c.GetProperty("rows").GetInt32());
        Assert.Equal(1.0, c.GetProperty("accuracy").GetDouble(), 1e-12);
        Assert.Equal(0.5 / 4, c.GetProperty("brier").GetDouble(), 1e-9);
        Assert.Equal(Math.Log(2) / 4, c.GetProperty("log_loss").GetDouble(), 1e-9);
        Assert.Equal(0.5 / 4, c.GetProperty("ece").GetDouble(), 1e-9); // the tie row: confidence 0.5, right
    }

    [Fact]
    public void Json_reports_the_learned_weights_per_lf_and_no_warning_on_a_clean_fit()
    {
        var json = CliRun.Json(Fit("-k", "2", "-m", "dp", "--json"));

        var weights = json.GetProperty("weights");
        Assert.Equal(["lf_0", "lf_1", "lf_2"], weights.EnumerateObject().Select(p => p.Name));
        foreach (var lf in weights.EnumerateObject())
        {
            Assert.InRange(lf.Value.GetProperty("accuracy").GetDouble(), 0, 1);
            Assert.InRange(lf.Value.GetProperty("propensity").GetDouble(), 0, 1);
        }

        Assert.Equal(2, json.GetProperty("class_prior").GetArrayLength());
        Assert.Equal(0, json.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void The_table_lists_each_lfs_learned_accuracy_for_a_generative_model()
    {
        var run = Fit("-k", "2", "-m", "dp");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("learned accuracy", run.Output, StringComparison.Ordinal);
        Assert.Contains("lf_2", run.Output, StringComparison.Ordinal);
        Assert.Contains("class prior: [", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_no_lf_votes_for_is_a_warning_in_the_json_and_on_stderr()
    {
        var json = CliRun.Json(Fit("-k", "3", "-m", "mv", "--json"));
        var warning = Assert.Single(json.GetProperty("warnings").EnumerateArray());
        Assert.Equal("class_never_voted", warning.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, warning.GetProperty("lf").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("weights").GetProperty("lf_0").GetProperty("accuracy").ValueKind);

        var table = Fit("-k", "3", "-m", "mv");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("warning: no LF votes for class 2", table.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_with_gold_says_what_it_chose_and_why()
    {
        var json = CliRun.Json(Fit("-k", "2", "-m", "auto", "--gold", _dir.File("gold.csv", Gold), "--json"));

        var selection = json.GetProperty("selection");
        Assert.Equal("covered_gold_accuracy", selection.GetProperty("criterion").GetString());
        Assert.Equal(selection.GetProperty("chosen").GetString(), json.GetProperty("model").GetString());
        Assert.Equal(6, selection.GetProperty("candidates").GetArrayLength());
        Assert.True(selection.GetProperty("temperature").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("covered_ece_before_temperature").ValueKind);
    }

    [Fact]
    public void Auto_without_gold_uses_the_unsupervised_criterion()
    {
        var json = CliRun.Json(Fit("-k", "2", "-m", "auto", "--json"));

        var selection = json.GetProperty("selection");
        Assert.Equal("held_out_lf_agreement", selection.GetProperty("criterion").GetString());
        Assert.Equal(JsonValueKind.Null, selection.GetProperty("temperature").ValueKind);
    }

    [Fact]
    public void Accuracy_is_null_without_gold()
    {
        var json = CliRun.Json(Fit("-k", "2", "-m", "ds", "--json"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("covered_calibration").ValueKind);
    }

    [Fact]
    public void Unknown_gold_rows_are_left_out_of_accuracy()
    {
        var json = CliRun.Json(Fit("-k", "2", "-m", "mv", "--gold", _dir.File("gold.csv", "0\n1\n0\n-1\n-1\n"), "--json"));
        Assert.Equal(1.0, json.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void Out_writes_the_probabilities()
    {
        var run = Fit("-k", "2", "-m", "mv", "-q");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(_dir.Combine("probs.csv"));
        Assert.Equal("p0,p1", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("1,0", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("0.5,0.5", lines[3], StringComparison.Ordinal);
        Assert.Contains("accuracy", run.Output, StringComparison.Ordinal); // the table
    }

    [Fact]
    public void Class_balance_weights_the_vote_of_wmv()
    {
        // With balance 0.3/0.7 the 1-1 tie of row 2 goes to class 1: predictions 0, 1, 1, 0, 1.
        var json = CliRun.Json(Fit("-k", "2", "-m", "wmv", "--class-balance", "0.3,0.7", "--gold", _dir.File("gold.csv", Gold), "--json"));
        Assert.Equal(0.6, json.GetProperty("accuracy").GetDouble(), 1e-12);
    }

    [Fact]
    public void Class_balance_on_a_model_that_ignores_it_warns()
    {
        var run = Fit("-k", "2", "-m", "mv", "--class-balance", "0.5,0.5", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("mv ignores --class-balance", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cardinality_larger_than_the_votes_is_fine()
    {
        var json = CliRun.Json(Fit("-k", "4", "-m", "ds", "--json"));
        Assert.Equal(4, json.GetProperty("k").GetInt32());
    }

    [Fact]
    public void Vote_not_below_k_is_a_data_error()
    {
        var run = CliRun.Invoke("fit", "--votes", _dir.File("votes.csv", "0,1,2\n1,1,1\n"), "-k", "2", "-m", "mv", "--out", _dir.Combine("probs.csv"));
        AssertDataError(run, "votes.csv", "row 1");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("200")]
    public void Cardinality_out_of_range_is_a_usage_error(string k) =>
        AssertUsageError(Fit("-k", k, "-m", "mv"), "--cardinality must be in [2, 127]");

    [Theory]
    [InlineData("0.2,0.3,0.5", "3 values")]
    [InlineData("0.5", "1 values")]
    [InlineData("0.4,0.4", "sums to 0.8")]
    [InlineData("0,1", "(0, 1]")]
    [InlineData("NaN,0.5", "(0, 1]")]
    [InlineData("0.5,abc", "('abc') is not a number")]
    [InlineData("-0.5,1.5", "(0, 1]")]
    public void Bad_class_balance_is_a_usage_error(string balance, string mention) =>
        AssertUsageError(Fit("-k", "2", "-m", "wmv", "--class-balance", balance), "--class-balance", mention);

    [Fact]
    public void Gold_of_another_length_is_a_data_error() =>
        AssertDataError(Fit("-k", "2", "-m", "mv", "--gold", _dir.File("gold.csv", "0\n1\n")), "gold.csv", "2 gold labels but 5 vote rows");

    [Fact]
    public void Gold_outside_the_classes_is_a_data_error() =>
        AssertDataError(Fit("-k", "2", "-m", "mv", "--gold", _dir.File("gold.csv", "0\n1\n2\n0\n0\n")), "gold.csv", "row 3");

    [Theory]
    [InlineData("metal")]
    [InlineData("fs")]
    public void Fewer_than_three_lfs_for_a_model_that_needs_three(string model)
    {
        var run = CliRun.Invoke("fit", "--votes", _dir.File("votes.csv", "0,1\n1,1\n"), "-k", "2", "-m", model, "--out", _dir.Combine("probs.csv"));
        AssertDataError(run, "at least 3 LFs", "has 2");
    }

    [Theory]
    [InlineData("dp")]
    [InlineData("metal")]
    [InlineData("fs")]
    public void Every_generative_model_fits_and_writes_probabilities(string model)
    {
        var json = CliRun.Json(Fit("-k", "2", "-m", model, "--seed", "7", "--gold", _dir.File("gold.csv", Gold), "--json"));
        Assert.Equal(model, json.GetProperty("model").GetString());
        Assert.InRange(json.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.Equal(6, File.ReadAllLines(_dir.Combine("probs.csv")).Length);
    }

    [Fact]
    public void Missing_votes_file_is_a_data_error() =>
        AssertDataError(CliRun.Invoke("fit", "--votes", _dir.Combine("none.csv"), "-k", "2", "-m", "mv", "--out", _dir.Combine("probs.csv")), "none.csv");

    [Theory]
    [InlineData("fit", "-k", "2", "-m", "mv")] // no --votes
    [InlineData("fit", "--votes", "x.csv", "-m", "mv")] // no --cardinality
    [InlineData("fit", "--votes", "x.csv", "-k", "2")] // no --model
    [InlineData("fit", "--votes", "x.csv", "-k", "2", "-m", "snorkel")] // unknown model
    [InlineData("fit", "--votes", "x.csv", "-k", "two", "-m", "mv")] // k not an integer
    public void Command_line_mistakes_are_usage_errors(params string[] args) =>
        Assert.Equal(2, CliRun.Invoke(args).ExitCode);

    [Fact]
    public void Class_balance_can_be_estimated_from_the_votes()
    {
        var run = Fit("-k", "2", "-m", "metal", "--seed", "1", "--class-balance", "votes", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("class balance estimated from the votes", run.Error, StringComparison.Ordinal);
    }
}
