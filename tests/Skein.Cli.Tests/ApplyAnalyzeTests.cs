using System.Text.Json;
using Skein.Analysis;
using Skein.IO;

namespace Skein.Cli.Tests;

/// <summary>The happy paths of <c>skein apply</c> and <c>skein analyze</c> on the bundled YouTube data.</summary>
public sealed class ApplyAnalyzeTests : IDisposable
{
    private static readonly string YouTubeRules = RepoPaths.Get("examples", "rules", "youtube.rules.json");
    private static readonly string[] YouTubeCsvs = Directory.GetFiles(RepoPaths.Get("examples", "data", "youtube"), "Youtube0*.csv").Order(StringComparer.Ordinal).ToArray();
    private static readonly string WrenchYouTube = RepoPaths.Get("tests", "data", "youtube", "wrench_youtube_train.json");

    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Apply_writes_one_vote_row_per_comment_and_reports_progress()
    {
        var output = _dir.Combine("votes.csv");
        var run = CliRun.Invoke(["apply", "--data", .. YouTubeCsvs, "--text-column", "CONTENT", "--rules", YouTubeRules, "--out", output]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Output); // results go to the file; stdout stays clean for pipes

        int comments = YouTubeCsvs.Sum(f => { using var r = TabularReader.Open(f); return r.ReadRecords().Count(); });
        var votes = VotesCsv.Read(output, cardinality: 2);
        Assert.Equal(comments, votes.RowCount);
        Assert.Equal(7, votes.LfCount);
        Assert.Contains("wrote", run.Error, StringComparison.Ordinal);
        Assert.Equal(["votes.csv"], _dir.Entries());
    }

    [Fact]
    public void Apply_to_parquet_round_trips_the_same_votes_as_csv()
    {
        var csv = _dir.Combine("votes.csv");
        var parquet = _dir.Combine("votes.parquet");
        Assert.Equal(0, CliRun.Invoke(["apply", "-q", "--data", YouTubeCsvs[0], "-t", "CONTENT", "--rules", YouTubeRules, "--out", csv]).ExitCode);
        Assert.Equal(0, CliRun.Invoke(["apply", "-q", "--data", YouTubeCsvs[0], "-t", "CONTENT", "--rules", YouTubeRules, "--out", parquet]).ExitCode);
        var fromCsv = VotesCsv.Read(csv, cardinality: 2);
        var fromParquet = LabelMatrixParquet.Read(parquet);
        Assert.True(fromCsv.Votes.SequenceEqual(fromParquet.Votes));
    }

    [Fact]
    public void Apply_gives_the_same_votes_with_one_thread_and_many()
    {
        var one = _dir.Combine("one.csv");
        var many = _dir.Combine("many.csv");
        Assert.Equal(0, CliRun.Invoke(["apply", "-q", "--data", .. YouTubeCsvs, "-t", "CONTENT", "--rules", YouTubeRules, "--out", one, "--threads", "1"]).ExitCode);
        Assert.Equal(0, CliRun.Invoke(["apply", "-q", "--data", .. YouTubeCsvs, "-t", "CONTENT", "--rules", YouTubeRules, "--out", many, "--threads", "-1"]).ExitCode);
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(many));
    }

    [Fact]
    public void Analyze_wrench_json_equals_the_library_summary()
    {
        var run = CliRun.Invoke("analyze", "--wrench", WrenchYouTube, "--format", "json", "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Output);
        var root = doc.RootElement;

        var dataset = WrenchDataset.Load(WrenchYouTube);
        var expected = LabelMatrixSummary.Create(dataset.Matrix, dataset.Gold);
        Assert.Equal(expected.RowCount, root.GetProperty("rows").GetInt64());
        Assert.Equal(expected.LabelCoverage, root.GetProperty("label_coverage").GetDouble());
        Assert.Equal(expected.LabelConflict, root.GetProperty("label_conflict").GetDouble());
        var lfs = root.GetProperty("lf_summary").EnumerateArray().ToArray();
        Assert.Equal(expected.LabelingFunctions.Count, lfs.Length);
        for (int j = 0; j < lfs.Length; j++)
        {
            var e = expected.LabelingFunctions[j];
            Assert.Equal(e.Coverage, lfs[j].GetProperty("coverage").GetDouble());
            Assert.Equal(e.Overlaps, lfs[j].GetProperty("overlaps").GetDouble());
            Assert.Equal(e.Conflicts, lfs[j].GetProperty("conflicts").GetDouble());
            Assert.Equal(e.EmpiricalAccuracy!.Value, lfs[j].GetProperty("emp_acc").GetDouble());
            Assert.Equal(e.Polarity, lfs[j].GetProperty("polarity").EnumerateArray().Select(p => p.GetInt32()));
        }
    }

    [Fact]
    public void Analyze_data_with_rules_and_gold_prints_a_table_with_accuracies()
    {
        var run = CliRun.Invoke(["analyze", "--data", .. YouTubeCsvs, "-t", "CONTENT", "--rules", YouTubeRules, "--gold-column", "CLASS"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Emp. Acc.", run.Output, StringComparison.Ordinal);
        Assert.Contains("keyword_subscribe", run.Output, StringComparison.Ordinal);
        Assert.Contains("coverage", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_votes_as_csv_has_one_line_per_lf()
    {
        var votes = _dir.File("votes.csv", "0,1,-1\n1,1,0\n-1,-1,0\n0,-1,-1\n");
        var gold = _dir.File("gold.txt", "0\n1\n0\n-1\n");
        var run = CliRun.Invoke("analyze", "--votes", votes, "--gold", gold, "--format", "csv", "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal("j,name,polarity,coverage,overlaps,conflicts,correct,incorrect,emp_acc", lines[0]);
        Assert.Equal(4, lines.Length);
        // LF 0 votes 0, 1, 0 against gold 0, 1, -1: two correct, none incorrect, emp. acc. 0.5·(1/3 + 1).
        var lf0 = lines[1].Split(',');
        Assert.Equal("2", lf0[6]);
        Assert.Equal("0", lf0[7]);
        Assert.Equal(0.5 * ((1.0 / 3) + 1), double.Parse(lf0[8], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var run = CliRun.Invoke("--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("apply", run.Output, StringComparison.Ordinal);
        Assert.Contains("analyze", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_report_is_one_offline_html_file_with_every_table_and_chart()
    {
        var report = _dir.Combine("report.html");
        var run = CliRun.Invoke(["analyze", "-q", "--data", .. YouTubeCsvs, "-t", "CONTENT", "--rules", YouTubeRules, "--gold-column", "CLASS", "--report", report]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var html = File.ReadAllText(report);
        foreach (var id in new[] { "lf-summary", "lf-coverage", "lf-accuracy", "lf-agreement" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("keyword_subscribe", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }
}
