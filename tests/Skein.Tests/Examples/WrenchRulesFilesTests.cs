using Skein.Examples;

namespace Skein.Tests.Examples;

public sealed class WrenchRulesFilesTests
{
    [Theory]
    [InlineData("trec.rules.json", "wrench_trec_train_subset.json", 68, 6, 268)]
    [InlineData("sms.rules.json", "wrench_sms_train_subset.json", 73, 2, 269)]
    public void Rules_file_reproduces_wrench_votes_cell_for_cell(string rulesFile, string fixture, int lfs, int classes, int rows)
    {
        var rules = ExampleData.Rules(rulesFile);
        Assert.Equal(lfs, rules.Rules.Count);
        Assert.Equal(classes, rules.Cardinality);
        Assert.All(rules.Rules, r => Assert.True(r.Options.Lowercase, $"{r.Name} must lower-case its input like WRENCH"));

        var data = WrenchFile.Load(ExampleData.Fixture("rules", fixture));
        Assert.Equal(rows, data.Count);
        var result = RuleVerifier.Verify(rules, data);

        Assert.Equal((long)rows * lfs, result.CellsCompared);
        var first = string.Join(Environment.NewLine, result.FirstDifferences.Select(d => $"{d.LfName} row {d.RowId}: expected {d.Expected}, got {d.Got}"));
        Assert.True(result.CellsDiffering == 0, $"{result.CellsDiffering} of {result.CellsCompared} cells differ:{Environment.NewLine}{first}");
    }

    [Fact]
    public void Trec_class_order_follows_wrench_label_json()
    {
        var rules = ExampleData.Rules("trec.rules.json");
        Assert.Equal(["DESC", "ENTY", "HUM", "ABBR", "LOC", "NUM"], rules.ClassNames);
        // LF 0 of the readme is an ENTITY rule, LF 1 a DESCRIPTION rule, LF 8 a NUMERIC rule.
        Assert.Equal(1, rules.Rules[0].Class);
        Assert.Equal(0, rules.Rules[1].Class);
        Assert.Equal(5, rules.Rules[8].Class);
    }

    [Fact]
    public void Verifier_detects_a_wrong_rule()
    {
        // Guard against a vacuous comparison: moving one rule to the other class must show up.
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "sms.rules.json"));
        var broken = Skein.Labeling.Rules.RuleSet.Parse(json.Replace("\"name\": \"sms_01_spam\",\n      \"kind\": \"pattern\",\n      \"class\": \"spam\"",
            "\"name\": \"sms_01_spam\",\n      \"kind\": \"pattern\",\n      \"class\": \"ham\"", StringComparison.Ordinal));
        Assert.Equal(0, broken.Rules[1].Class);
        var result = RuleVerifier.Verify(broken, WrenchFile.Load(ExampleData.Fixture("rules", "wrench_sms_train_subset.json")));
        Assert.True(result.CellsDiffering > 0);
        Assert.All(result.FirstDifferences, d => Assert.Equal("sms_01_spam", d.LfName));
    }
}
