using Skein.Data;
using Skein.Labeling;
using Skein.Labeling.Rules;

namespace Skein.Tests.Labeling.Rules;

public sealed class RuleSetTests
{
    private const string Source = "spam.rules.json";

    private static readonly DataColumns Columns = new(["id", "text", "title"]);

    private static DataRecord Row(string? text, string? title = null) => new(Columns, ["1", text, title], 1);

    /// <summary>A rules file with the given rules (JSON fragments) and the usual header.</summary>
    private static string File(params string[] rules) =>
        $$"""
        {"version": 1, "classes": ["HAM", "SPAM"], "textColumn": "text", "rules": [{{string.Join(",\n", rules)}}]}
        """;

    private static RuleSetException ParseError(string json)
    {
        var e = Assert.Throws<RuleSetException>(() => RuleSet.Parse(json, Source));
        Assert.Contains(Source, e.Message, StringComparison.Ordinal);
        Assert.Equal(Source, e.SourceName);
        return e;
    }

    private static void AssertNames(RuleSetException e, int ruleIndex, string? ruleName, string field)
    {
        Assert.Equal(ruleIndex, e.RuleIndex);
        Assert.Equal(field, e.Field);
        Assert.Contains($"rule #{ruleIndex}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"field '{field}'", e.Message, StringComparison.Ordinal);
        if (ruleName is not null)
        {
            Assert.Equal(ruleName, e.RuleName);
            Assert.Contains($"'{ruleName}'", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_reads_header_rules_and_kind_defaults()
    {
        var set = RuleSet.Parse(File(
            """{"name": "kw", "kind": "keyword", "class": "SPAM", "words": ["free", "win"], "description": "money"}""",
            """{"name": "re", "kind": "pattern", "class": 0, "pattern": "th(ank|x)", "column": "title"}"""), Source);

        Assert.Equal(2, set.Cardinality);
        Assert.Equal(["HAM", "SPAM"], set.ClassNames);
        Assert.Equal("text", set.TextColumn);
        Assert.Equal(Source, set.SourceName);
        Assert.Equal(2, set.Rules.Count);

        var kw = set.Rules[0];
        Assert.Equal(new Rule("kw", RuleKind.Keyword, 1, kw.Words, null, null, RuleOptions.KeywordDefaults, "money"), kw);
        Assert.Equal(["free", "win"], kw.Words);
        Assert.True(kw.Options.IgnoreCase);
        Assert.False(kw.Options.WholeWord);

        var re = set.Rules[1];
        Assert.Equal(RuleKind.Pattern, re.Kind);
        Assert.Equal(0, re.Class);
        Assert.Equal("th(ank|x)", re.Pattern);
        Assert.Equal("title", re.Column);
        Assert.Empty(re.Words);
        Assert.False(re.Options.IgnoreCase);
        Assert.False(re.Options.Lowercase);
        Assert.Equal(TimeSpan.FromSeconds(1), re.Options.MatchTimeout);
        Assert.Equal("SPAM", set.ClassName(1));
    }

    [Fact]
    public void Cardinality_without_class_names_takes_indices()
    {
        var set = RuleSet.Parse("""
            {"version": 1, "cardinality": 3, "rules": [{"name": "a", "kind": "keyword", "class": 2, "words": ["x"]}]}
            """);
        Assert.Equal(3, set.Cardinality);
        Assert.Null(set.ClassNames);
        Assert.Null(set.TextColumn);
        Assert.Equal(2, set.Rules[0].Class);
        Assert.Equal("2", set.ClassName(2));
        Assert.Equal("<rules>", set.SourceName);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted()
    {
        var set = RuleSet.Parse("""
            // hand-written
            {"cardinality": 2, "textColumn": "text", "rules": [
              {"name": "a", "kind": "keyword", "class": 1, "words": ["x",],}, /* trailing comma above */
            ]}
            """);
        Assert.Single(set.Rules);
    }

    [Fact]
    public void Options_are_read_and_change_matching()
    {
        var set = RuleSet.Parse(File(
            """{"name": "kw_case", "kind": "keyword", "class": 1, "words": ["Free"], "options": {"ignoreCase": false}}""",
            """{"name": "kw_word", "kind": "keyword", "class": 1, "words": ["win"], "options": {"wholeWord": true}}""",
            """{"name": "re_default", "kind": "pattern", "class": 1, "pattern": "call now"}""",
            """{"name": "re_ic", "kind": "pattern", "class": 1, "pattern": "call now", "options": {"ignoreCase": true}}""",
            """{"name": "re_lower", "kind": "pattern", "class": 1, "pattern": "^call now", "options": {"lowercase": true, "timeoutMs": 250}}"""));
        Assert.Equal(TimeSpan.FromMilliseconds(250), set.Rules[4].Options.MatchTimeout);
        Assert.True(set.Rules[4].Options.Lowercase);
        Assert.True(set.Rules[1].Options.WholeWord);

        var lfs = set.Compile(Columns);
        Assert.Equal(["kw_case", "kw_word", "re_default", "re_ic", "re_lower"], lfs.Select(lf => lf.Name));
        int[] Votes(string text) => lfs.Select(lf => lf.Vote(Row(text))).ToArray();

        Assert.Equal([-1, 1, -1, 1, 1], Votes("CALL NOW to WIN"));
        Assert.Equal([1, -1, 1, 1, 1], Votes("call now: Free winnings"));
        Assert.Equal([-1, -1, -1, -1, -1], Votes("free"));
        Assert.Equal([-1, -1, -1, -1, -1], Votes(""));
    }

    [Fact]
    public void Text_column_precedence_is_override_then_rule_then_file()
    {
        var set = RuleSet.Parse(File(
            """{"name": "file_col", "kind": "keyword", "class": 1, "words": ["spam"]}""",
            """{"name": "rule_col", "kind": "keyword", "class": 1, "words": ["spam"], "column": "title"}"""));
        var inText = Row("spam here", "nothing");
        var inTitle = Row("nothing", "spam here");

        var plain = set.Compile(Columns);
        Assert.Equal([1, -1], plain.Select(lf => lf.Vote(inText)));
        Assert.Equal([-1, 1], plain.Select(lf => lf.Vote(inTitle)));

        var overridden = set.Compile(Columns, textColumnOverride: "title");
        Assert.Equal([-1, -1], overridden.Select(lf => lf.Vote(inText)));
        Assert.Equal([1, 1], overridden.Select(lf => lf.Vote(inTitle)));
    }

    [Fact]
    public void Compiled_rules_bind_column_by_position_for_the_given_layout()
    {
        // Same names, other order: the binding must follow the layout passed to Compile.
        var layout = new DataColumns(["text", "id"]);
        var set = RuleSet.Parse(File("""{"name": "a", "kind": "keyword", "class": 1, "words": ["spam"]}"""));
        var lf = Assert.Single(set.Compile(layout));
        Assert.Equal(1, lf.Vote(new DataRecord(layout, ["spam!", "7"], 1)));
        Assert.Equal(-1, lf.Vote(new DataRecord(layout, ["ham", "spam"], 2)));
        Assert.Equal(-1, lf.Vote(new DataRecord(layout, [null, "spam"], 3)));
    }

    [Fact]
    public void Compiled_rules_run_through_the_applier()
    {
        var set = RuleSet.Parse(File(
            """{"name": "spam_kw", "kind": "keyword", "class": "SPAM", "words": ["free"]}""",
            """{"name": "ham_re", "kind": "pattern", "class": "HAM", "pattern": "^(hi|hello)\\b", "options": {"lowercase": true}}"""));
        var rows = new[] { Row("Free money"), Row("Hello there"), Row("Hi, free lunch?"), Row("nothing") };
        var matrix = new LabelingFunctionApplier<DataRecord>(set.Compile(Columns), set.Cardinality).Apply(rows).Matrix;
        Assert.Equal(["spam_kw", "ham_re"], matrix.LfNames);
        Assert.Equal(new sbyte[] { 1, -1, -1, 0, 1, 0, -1, -1 }, matrix.Votes.ToArray());
    }

    [Fact]
    public void Load_reads_a_file_and_names_it_in_errors()
    {
        var dir = Directory.CreateTempSubdirectory("skein-rules-");
        try
        {
            var good = Path.Combine(dir.FullName, "good.rules.json");
            System.IO.File.WriteAllText(good, File("""{"name": "a", "kind": "keyword", "class": 1, "words": ["x"]}"""));
            var set = RuleSet.Load(good);
            Assert.Equal(good, set.SourceName);
            Assert.Single(set.Rules);

            var bad = Path.Combine(dir.FullName, "bad.rules.json");
            System.IO.File.WriteAllText(bad, File("""{"name": "a", "kind": "keywrd", "class": 1, "words": ["x"]}"""));
            var e = Assert.Throws<RuleSetException>(() => RuleSet.Load(bad));
            Assert.Contains(bad, e.Message, StringComparison.Ordinal);

            var missing = Path.Combine(dir.FullName, "missing.rules.json");
            var m = Assert.Throws<RuleSetException>(() => RuleSet.Load(missing));
            Assert.Contains(missing, m.Message, StringComparison.Ordinal);
            Assert.IsType<FileNotFoundException>(m.InnerException);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Malformed_json_reports_the_line()
    {
        var json = "{\n  \"cardinality\": 2,\n  \"rules\": [\n    {\"name\": \"a\" \"kind\": \"keyword\"}\n  ]\n}";
        var e = ParseError(json);
        Assert.Equal(4, e.Line);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("malformed JSON", e.Message, StringComparison.Ordinal);
        Assert.IsType<System.Text.Json.JsonException>(e.InnerException, exactMatch: false);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    public void Top_level_must_be_an_object(string json) =>
        Assert.Contains("top level must be a JSON object", ParseError(json).Message, StringComparison.Ordinal);

    [Fact]
    public void Unknown_kind_is_an_error()
    {
        var e = ParseError(File(
            """{"name": "ok", "kind": "keyword", "class": 1, "words": ["x"]}""",
            """{"name": "bad", "kind": "regex", "class": 1, "pattern": "x"}"""));
        AssertNames(e, 1, "bad", "kind");
        Assert.Contains("'regex'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'keyword' and 'pattern'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "kw", "kind": "keyword", "class": 1}""", "words")]
    [InlineData("""{"name": "kw", "kind": "keyword", "class": 1, "words": []}""", "words")]
    [InlineData("""{"name": "kw", "kind": "keyword", "class": 1, "words": ["ok", ""]}""", "words")]
    [InlineData("""{"name": "kw", "kind": "keyword", "class": 1, "words": "free"}""", "words")]
    [InlineData("""{"name": "kw", "kind": "keyword", "class": 1, "pattern": "x"}""", "pattern")]
    [InlineData("""{"name": "kw", "kind": "pattern", "class": 1}""", "pattern")]
    [InlineData("""{"name": "kw", "kind": "pattern", "class": 1, "pattern": ""}""", "pattern")]
    [InlineData("""{"name": "kw", "kind": "pattern", "class": 1, "words": ["x"]}""", "words")]
    [InlineData("""{"name": "kw", "class": 1, "words": ["x"]}""", "kind")]
    [InlineData("""{"name": "kw", "kind": "keyword", "words": ["x"]}""", "class")]
    public void Missing_or_misplaced_words_and_pattern_are_errors(string rule, string field) =>
        AssertNames(ParseError(File(rule)), 0, "kw", field);

    [Fact]
    public void Missing_name_is_an_error_naming_the_rule_index()
    {
        var e = ParseError(File("""{"kind": "keyword", "class": 1, "words": ["x"]}"""));
        AssertNames(e, 0, null, "name");
        Assert.Null(e.RuleName);
    }

    [Fact]
    public void Invalid_regex_includes_the_dotnet_message()
    {
        var e = ParseError(File("""{"name": "broken", "kind": "pattern", "class": 1, "pattern": "(call|text"}"""));
        AssertNames(e, 0, "broken", "pattern");
        var inner = Assert.IsAssignableFrom<ArgumentException>(e.InnerException);
        Assert.Contains(inner.Message, e.Message, StringComparison.Ordinal);
        Assert.Contains("(call|text", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("true")]
    public void Class_out_of_range_or_not_an_index_is_an_error(string label)
    {
        var e = ParseError(File($$"""{"name": "c", "kind": "keyword", "class": {{label}}, "words": ["x"]}"""));
        AssertNames(e, 0, "c", "class");
    }

    [Fact]
    public void Class_out_of_range_names_the_range()
    {
        var e = ParseError(File("""{"name": "c", "kind": "keyword", "class": 2, "words": ["x"]}"""));
        Assert.Contains("out of range [0, 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_class_name_lists_the_classes()
    {
        var e = ParseError(File("""{"name": "c", "kind": "keyword", "class": "spam", "words": ["x"]}"""));
        AssertNames(e, 0, "c", "class");
        Assert.Contains("'spam'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'HAM', 'SPAM'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Class_name_without_classes_list_is_an_error()
    {
        var e = ParseError("""{"cardinality": 2, "rules": [{"name": "c", "kind": "keyword", "class": "SPAM", "words": ["x"]}]}""");
        AssertNames(e, 0, "c", "class");
        Assert.Contains("no 'classes' list", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_rule_names_are_an_error_naming_both()
    {
        var e = ParseError(File(
            """{"name": "a", "kind": "keyword", "class": 1, "words": ["x"]}""",
            """{"name": "b", "kind": "keyword", "class": 1, "words": ["y"]}""",
            """{"name": "a", "kind": "keyword", "class": 0, "words": ["z"]}"""));
        AssertNames(e, 2, "a", "name");
        Assert.Contains("rule #0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"cardinality": 1, "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "cardinality")]
    [InlineData("""{"cardinality": 0, "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "cardinality")]
    [InlineData("""{"cardinality": 200, "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "cardinality")]
    [InlineData("""{"classes": ["ONLY"], "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "classes")]
    [InlineData("""{"rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "cardinality")]
    [InlineData("""{"cardinality": 3, "classes": ["A", "B"], "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "cardinality")]
    [InlineData("""{"classes": ["A", "A"], "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "classes")]
    [InlineData("""{"version": 2, "cardinality": 2, "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""", "version")]
    [InlineData("""{"cardinality": 2, "rules": []}""", "rules")]
    [InlineData("""{"cardinality": 2}""", "rules")]
    [InlineData("""{"cardinality": 2, "rules": {}}""", "rules")]
    public void Bad_header_is_an_error_naming_the_field(string json, string field)
    {
        var e = ParseError(json);
        Assert.Equal(field, e.Field);
        Assert.Null(e.RuleIndex);
        Assert.Contains($"field '{field}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cardinality_below_two_names_the_allowed_range()
    {
        var e = ParseError("""{"cardinality": 1, "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""");
        Assert.Contains("[2, 127]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": {"ignorecase": true}}""", "options.ignorecase")]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": {"lowerCase": true}}""", "options.lowerCase")]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": {"wholeWord": true}}""", "options.wholeWord")]
    [InlineData("""{"name": "o", "kind": "keyword", "class": 1, "words": ["x"], "options": {"lowercase": true}}""", "options.lowercase")]
    [InlineData("""{"name": "o", "kind": "keyword", "class": 1, "words": ["x"], "options": {"timeoutMs": 5}}""", "options.timeoutMs")]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": {"timeoutMs": 0}}""", "options.timeoutMs")]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": {"ignoreCase": "yes"}}""", "options.ignoreCase")]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": []}""", "options")]
    [InlineData("""{"name": "o", "kind": "pattern", "class": 1, "patern": "x"}""", "patern")]
    [InlineData("""{"name": "o", "kind": "keyword", "class": 1, "words": ["x"], "Words": ["y"]}""", "Words")]
    [InlineData("""{"name": "o", "kind": "keyword", "class": 1, "words": ["x"], "words": ["y"]}""", "words")]
    public void Unknown_misplaced_or_ill_typed_keys_are_errors(string rule, string field) =>
        AssertNames(ParseError(File(rule)), 0, "o", field);

    [Fact]
    public void Unknown_option_lists_the_known_options()
    {
        var e = ParseError(File("""{"name": "o", "kind": "pattern", "class": 1, "pattern": "x", "options": {"ignorecase": true}}"""));
        Assert.Contains("'ignoreCase', 'lowercase', 'timeoutMs'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_top_level_key_is_an_error()
    {
        var e = ParseError("""{"cardinality": 2, "textcolumn": "text", "rules": [{"name": "a", "kind": "keyword", "class": 0, "words": ["x"]}]}""");
        Assert.Equal("textcolumn", e.Field);
        Assert.Null(e.RuleIndex);
        Assert.Contains("'textColumn'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_column_not_in_data_lists_the_columns()
    {
        var set = RuleSet.Parse(File(
            """{"name": "a", "kind": "keyword", "class": 1, "words": ["x"]}""",
            """{"name": "b", "kind": "keyword", "class": 1, "words": ["x"], "column": "body"}"""), Source);
        var e = Assert.Throws<RuleSetException>(() => set.Compile(Columns));
        Assert.Contains(Source, e.Message, StringComparison.Ordinal);
        AssertNames(e, 1, "b", "column");
        Assert.Contains("'body'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'id', 'text', 'title'", e.Message, StringComparison.Ordinal);

        var fromFile = Assert.Throws<RuleSetException>(() => set.Compile(new DataColumns(["content"])));
        AssertNames(fromFile, 0, "a", "textColumn");
        Assert.Contains("'content'", fromFile.Message, StringComparison.Ordinal);

        var fromOverride = Assert.Throws<RuleSetException>(() => set.Compile(Columns, "CONTENT"));
        Assert.Contains("'CONTENT'", fromOverride.Message, StringComparison.Ordinal);
        Assert.Contains("'id', 'text', 'title'", fromOverride.Message, StringComparison.Ordinal);
        Assert.Contains(Source, fromOverride.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_text_column_anywhere_is_an_error_unless_overridden()
    {
        var set = RuleSet.Parse("""{"cardinality": 2, "rules": [{"name": "a", "kind": "keyword", "class": 1, "words": ["x"]}]}""", Source);
        var e = Assert.Throws<RuleSetException>(() => set.Compile(Columns));
        AssertNames(e, 0, "a", "column");
        Assert.Contains("--text-column", e.Message, StringComparison.Ordinal);

        var lf = Assert.Single(set.Compile(Columns, "title"));
        Assert.Equal(1, lf.Vote(Row("no", "x marks")));
    }

    [Fact]
    public void Pattern_timeout_is_enforced_on_catastrophic_backtracking()
    {
        var set = RuleSet.Parse(File("""{"name": "slow", "kind": "pattern", "class": 1, "pattern": "^(a+)+$", "options": {"timeoutMs": 20}}"""));
        var lf = Assert.Single(set.Compile(Columns));
        Assert.Throws<System.Text.RegularExpressions.RegexMatchTimeoutException>(() => lf.Vote(Row(new string('a', 40) + "!")));
    }
}
