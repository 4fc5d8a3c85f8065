namespace Skein.Cli.Tests;

/// <summary>
/// Every bad input a new user is likely to try: a clear message naming the file and the row/column or LF,
/// exit code 1, and no output file left behind.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string SpamRules = """
        {"version": 1, "classes": ["HAM", "SPAM"], "textColumn": "text",
         "rules": [
           {"name": "kw_subscribe", "kind": "keyword", "class": "SPAM", "words": ["subscribe"]},
           {"name": "kw_song", "kind": "keyword", "class": "HAM", "words": ["song"]}
         ]}
        """;

    // Catastrophic backtracking on a long run of 'a's hits the 1 ms match timeout.
    private const string SlowRules = """
        {"version": 1, "cardinality": 2, "textColumn": "text",
         "rules": [{"name": "slow_regex", "kind": "pattern", "class": 1, "pattern": "^(a+)+$", "options": {"timeoutMs": 1}}]}
        """;

    private readonly ScratchDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private CliRun Apply(string data, string rules, params string[] extra)
    {
        var args = new List<string> { "apply", "--data", data, "--rules", rules, "--out", _dir.Combine("votes.csv"), "--quiet" };
        args.AddRange(extra);
        return CliRun.Invoke([.. args]);
    }

    private void AssertDataError(CliRun run, params string[] mentions)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        foreach (var m in mentions)
        {
            Assert.Contains(m, run.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain(_dir.Entries(), e => e == "votes.csv" || e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Ragged_csv_row_names_file_and_row()
    {
        var data = _dir.File("ragged.csv", "id,text\n1,subscribe now\n2,nice song,extra\n");
        var rules = _dir.File("rules.json", SpamRules);
        AssertDataError(Apply(data, rules), "ragged.csv", "row 2");
    }

    [Fact]
    public void Missing_text_column_names_file_and_column()
    {
        var data = _dir.File("data.csv", "id,body\n1,subscribe now\n");
        var rules = _dir.File("rules.json", SpamRules);
        AssertDataError(Apply(data, rules, "--text-column", "content"), "content");
    }

    [Fact]
    public void Empty_data_file_is_a_data_error()
    {
        var data = _dir.File("empty.csv", string.Empty);
        var rules = _dir.File("rules.json", SpamRules);
        AssertDataError(Apply(data, rules), "empty.csv");
    }

    [Fact]
    public void Non_utf8_bytes_name_the_file()
    {
        var bytes = "id,text\n1,ok\n2,caf"u8.ToArray().Concat(new byte[] { 0xE9, 0x0A }).ToArray();
        var data = _dir.File("latin1.csv", bytes);
        var rules = _dir.File("rules.json", SpamRules);
        AssertDataError(Apply(data, rules), "latin1.csv");
    }

    [Fact]
    public void Declared_latin1_encoding_reads_latin1_rules_and_data_so_accented_keywords_fire()
    {
        var latin1 = System.Text.Encoding.Latin1;
        var rules = _dir.File("rules.json", latin1.GetBytes("""
            {"version": 1, "classes": ["HAM", "SPAM"], "textColumn": "text",
             "rules": [{"name": "kw_cafe", "kind": "keyword", "class": "SPAM", "words": ["café"]}]}
            """));
        var data = _dir.File("latin1.csv", latin1.GetBytes("id,text\n1,un café noir\n2,rien\n"));

        AssertDataError(Apply(data, rules), "rules.json"); // not UTF-8: named, never decoded into U+FFFD
        var run = Apply(data, rules, "--encoding", "latin1");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["1", "-1"], File.ReadAllLines(_dir.Combine("votes.csv")).Where(l => !l.StartsWith("kw_", StringComparison.Ordinal)));
    }

    [Fact]
    public void Unknown_encoding_is_a_usage_error()
    {
        var run = Apply(_dir.File("d.csv", "id,text\n1,a\n"), _dir.File("rules.json", SpamRules), "--encoding", "ebcdic");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("Unknown encoding 'ebcdic'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("votes.csv", _dir.Entries());
    }

    [Fact]
    public void Duplicate_lf_names_in_rules_are_rejected()
    {
        var data = _dir.File("data.csv", "id,text\n1,subscribe now\n");
        var rules = _dir.File("dup.json", SpamRules.Replace("kw_song", "kw_subscribe", StringComparison.Ordinal));
        AssertDataError(Apply(data, rules), "dup.json", "kw_subscribe");
    }

    [Fact]
    public void Invalid_regex_names_the_rule()
    {
        var data = _dir.File("data.csv", "id,text\n1,subscribe now\n");
        var rules = _dir.File("badregex.json", """
            {"version": 1, "cardinality": 2, "textColumn": "text",
             "rules": [{"name": "broken", "kind": "pattern", "class": 1, "pattern": "check(out"}]}
            """);
        AssertDataError(Apply(data, rules), "badregex.json", "broken");
    }

    [Fact]
    public void Lf_that_throws_names_the_lf_and_row()
    {
        var data = _dir.File("data.csv", "id,text\n1,hello\n2," + new string('a', 5000) + "!\n");
        var rules = _dir.File("slow.json", SlowRules);
        AssertDataError(Apply(data, rules), "slow_regex", "row 2", "data.csv");
    }

    [Fact]
    public void Lf_faults_become_abstains_when_asked()
    {
        var data = _dir.File("data.csv", "id,text\n1,hello\n2," + new string('a', 5000) + "!\n");
        var rules = _dir.File("slow.json", SlowRules);
        var run = Apply(data, rules, "--on-lf-error", "Abstain");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("slow_regex", run.Error, StringComparison.Ordinal);
        Assert.Equal(["-1", "-1"], File.ReadAllLines(_dir.Combine("votes.csv")));
    }

    [Fact]
    public void Votes_out_of_range_name_row_and_column()
    {
        var votes = _dir.File("votes_in.csv", "0,1,-1\n1,7,0\n");
        var run = CliRun.Invoke("analyze", "--votes", votes, "--cardinality", "2", "--quiet");
        AssertDataError(run, "votes_in.csv", "row 2", "column 2");
    }

    [Fact]
    public void Votes_rows_of_different_length_name_the_row()
    {
        var votes = _dir.File("votes_in.csv", "0,1,-1\n1,0\n");
        AssertDataError(CliRun.Invoke("analyze", "--votes", votes, "--quiet"), "votes_in.csv", "row 2");
    }

    [Fact]
    public void Gold_of_other_length_names_the_gold_file()
    {
        var votes = _dir.File("votes_in.csv", "0,1,-1\n1,0,0\n");
        var gold = _dir.File("gold.txt", "0\n1\n1\n");
        AssertDataError(CliRun.Invoke("analyze", "--votes", votes, "--gold", gold, "--quiet"), "gold.txt");
    }

    [Fact]
    public void Malformed_wrench_json_names_the_file()
    {
        var wrench = _dir.File("train.json", """{"0": {"label": 1, "weak_labels": [1, -1], "data": {"text": "x"}}, "1": {"label": """);
        AssertDataError(CliRun.Invoke("analyze", "--wrench", wrench, "--quiet"), "train.json");
    }

    [Fact]
    public void Missing_file_is_a_data_error()
    {
        AssertDataError(CliRun.Invoke("analyze", "--votes", _dir.Combine("nope.csv"), "--quiet"), "nope.csv");
    }

    [Theory]
    [InlineData("analyze")]
    [InlineData("analyze", "--votes", "a.csv", "--wrench", "b.json")]
    [InlineData("analyze", "--wrench", "b.json", "--format", "yaml")]
    [InlineData("apply", "--data", "a.csv")]
    [InlineData("apply", "--data", "a.csv", "--rules", "r.json", "--out", "v.csv", "--threads", "0")]
    [InlineData("frobnicate")]
    [InlineData("analyze", "--votes", "a.csv", "--bogus")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var run = CliRun.Invoke(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("error", run.Error, StringComparison.OrdinalIgnoreCase);
    }
}
