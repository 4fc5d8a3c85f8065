using System.Text.RegularExpressions;
using Skein.Labeling;

namespace Skein.Tests.Labeling;

public class LabelingFunctionTests
{
    private sealed record Item(string? Text, double? Score);

    [Fact]
    public void Keyword_substring_matches_inside_words()
    {
        var lf = LabelingFunction.Keyword("my", 1, "my");

        Assert.Equal(1, lf.Vote("a mystery"));
        Assert.Equal(1, lf.Vote("my cat"));
        Assert.Equal(-1, lf.Vote("nothing here"));
        Assert.Equal("my", lf.Name);
    }

    [Theory]
    [InlineData("this is my cat", 1)]
    [InlineData("my", 1)]
    [InlineData("(my)", 1)]
    [InlineData("mystery", -1)]
    [InlineData("tommy", -1)]
    [InlineData("_my", -1)]
    [InlineData("my2", -1)]
    [InlineData("mymy my", 1)]
    public void Keyword_whole_word_needs_non_word_characters_or_text_ends_around_it(string text, int expected)
    {
        var lf = LabelingFunction.Keyword<string>("my", s => s, 1, ["my"], new KeywordOptions { Match = KeywordMatch.WholeWord });

        Assert.Equal(expected, lf.Vote(text));
    }

    [Fact]
    public void Keyword_ignores_case_by_default_and_respects_it_when_asked()
    {
        var ignore = LabelingFunction.Keyword("free", 1, "free");
        var exact = LabelingFunction.Keyword<string>("free_exact", s => s, 1, ["free"], new KeywordOptions { IgnoreCase = false });
        var exactWhole = LabelingFunction.Keyword<string>("free_exact_word", s => s, 1, ["free"],
            new KeywordOptions { IgnoreCase = false, Match = KeywordMatch.WholeWord });

        Assert.Equal(1, ignore.Vote("GET IT FREE NOW"));
        Assert.Equal(-1, exact.Vote("GET IT FREE NOW"));
        Assert.Equal(1, exact.Vote("get it free now"));
        Assert.Equal(-1, exactWhole.Vote("FREE"));
        Assert.Equal(1, exactWhole.Vote("free!"));
    }

    [Fact]
    public void Keyword_votes_when_any_word_matches_and_abstains_on_null_or_empty_text()
    {
        var lf = LabelingFunction.Keyword<Item>("spam", x => x.Text, 1, ["win", "prize"]);

        Assert.Equal(1, lf.Vote(new Item("claim your PRIZE", null)));
        Assert.Equal(1, lf.Vote(new Item("you win", null)));
        Assert.Equal(-1, lf.Vote(new Item(null, null)));
        Assert.Equal(-1, lf.Vote(new Item("", null)));
    }

    [Fact]
    public void Keyword_rejects_no_words_empty_words_blank_names_and_negative_labels()
    {
        var none = Assert.Throws<ArgumentException>(() => LabelingFunction.Keyword("k", 1));
        Assert.Contains("'k'", none.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LabelingFunction.Keyword("k", 1, "a", ""));
        Assert.Throws<ArgumentException>(() => LabelingFunction.Keyword(" ", 1, "a"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelingFunction.Keyword("k", -1, "a"));
    }

    [Fact]
    public void Pattern_is_case_sensitive_by_default()
    {
        var lf = LabelingFunction.Pattern("what", 0, "^what");

        Assert.Equal(0, lf.Vote("what is love"));
        Assert.Equal(-1, lf.Vote("What is love"));
        Assert.Equal(-1, lf.Vote("so what"));
    }

    [Fact]
    public void Pattern_ignore_case_and_lowercase_input_both_match_upper_case_text()
    {
        var ignore = LabelingFunction.Pattern("what_i", 0, "^what", new PatternOptions { IgnoreCase = true });
        var lower = LabelingFunction.Pattern("what_l", 0, "^what", new PatternOptions { LowercaseInput = true });

        Assert.Equal(0, ignore.Vote("WHAT is love"));
        Assert.Equal(0, lower.Vote("WHAT is love"));
    }

    [Fact]
    public void Pattern_with_lowercase_input_does_not_match_an_upper_case_pattern()
    {
        // re.search("WHAT", text.lower()) never matches: the pattern sees lower-case text only.
        var lf = LabelingFunction.Pattern("upper", 0, "WHAT", new PatternOptions { LowercaseInput = true });

        Assert.Equal(-1, lf.Vote("WHAT"));
    }

    [Fact]
    public void Pattern_abstains_on_null_text()
    {
        var lf = LabelingFunction.Pattern<Item>("any", x => x.Text, 1, ".*");

        Assert.Equal(-1, lf.Vote(new Item(null, null)));
        Assert.Equal(1, lf.Vote(new Item("", null)));
    }

    [Fact]
    public void Invalid_regex_is_rejected_with_a_message_naming_the_lf_and_pattern()
    {
        var e = Assert.Throws<ArgumentException>(() => LabelingFunction.Pattern("broken_rule", 1, "(unclosed"));

        Assert.Contains("'broken_rule'", e.Message, StringComparison.Ordinal);
        Assert.Contains("(unclosed", e.Message, StringComparison.Ordinal);
        Assert.Equal("pattern", e.ParamName);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void Catastrophic_pattern_times_out_instead_of_hanging()
    {
        var lf = LabelingFunction.Pattern("evil", 1, "^(a+)+$", new PatternOptions { MatchTimeout = TimeSpan.FromMilliseconds(20) });

        Assert.Throws<RegexMatchTimeoutException>(() => lf.Vote(new string('a', 40) + "!"));
    }

    [Theory]
    [InlineData(ThresholdComparison.Less, 0.4, 1)]
    [InlineData(ThresholdComparison.Less, 0.5, -1)]
    [InlineData(ThresholdComparison.LessOrEqual, 0.5, 1)]
    [InlineData(ThresholdComparison.LessOrEqual, 0.6, -1)]
    [InlineData(ThresholdComparison.Greater, 0.5, -1)]
    [InlineData(ThresholdComparison.Greater, 0.6, 1)]
    [InlineData(ThresholdComparison.GreaterOrEqual, 0.5, 1)]
    [InlineData(ThresholdComparison.GreaterOrEqual, 0.4, -1)]
    public void Threshold_compares_as_named(ThresholdComparison comparison, double value, int expected)
    {
        var lf = LabelingFunction.Threshold<Item>("t", x => x.Score, comparison, 0.5, 1);

        Assert.Equal(expected, lf.Vote(new Item(null, value)));
    }

    [Theory]
    [InlineData(ThresholdComparison.Less)]
    [InlineData(ThresholdComparison.LessOrEqual)]
    [InlineData(ThresholdComparison.Greater)]
    [InlineData(ThresholdComparison.GreaterOrEqual)]
    public void Threshold_abstains_on_null_and_nan(ThresholdComparison comparison)
    {
        var lf = LabelingFunction.Threshold<Item>("t", x => x.Score, comparison, 0.5, 1);

        Assert.Equal(-1, lf.Vote(new Item(null, null)));
        Assert.Equal(-1, lf.Vote(new Item(null, double.NaN)));
    }

    [Fact]
    public void Threshold_rejects_a_nan_threshold_and_an_unknown_comparison()
    {
        var nan = Assert.Throws<ArgumentException>(() =>
            LabelingFunction.Threshold<Item>("t_nan", x => x.Score, ThresholdComparison.Less, double.NaN, 1));
        Assert.Contains("'t_nan'", nan.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LabelingFunction.Threshold<Item>("t", x => x.Score, (ThresholdComparison)42, 0.5, 1));
    }

    [Fact]
    public void Create_wraps_a_delegate()
    {
        var lf = LabelingFunction.Create<int>("even", x => x % 2 == 0 ? 1 : LabelingFunction.Abstain);

        Assert.Equal("even", lf.Name);
        Assert.Equal(1, lf.Vote(4));
        Assert.Equal(-1, lf.Vote(3));
        Assert.Throws<ArgumentException>(() => LabelingFunction.Create<int>("", x => x));
    }
}
