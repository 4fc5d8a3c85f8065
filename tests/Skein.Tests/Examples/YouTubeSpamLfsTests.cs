using Skein.Data;
using Skein.Examples;

namespace Skein.Tests.Examples;

public sealed class YouTubeSpamLfsTests
{
    [Fact]
    public void The_seven_lfs_are_in_wrench_order()
    {
        Assert.Equal(
            ["keyword_my", "keyword_subscribe", "keyword_link", "keyword_please", "keyword_song", "regex_check_out", "short_comment"],
            YouTubeSpamLfs.All.Select(lf => lf.Name));
    }

    [Fact]
    public void Csharp_lfs_reproduce_wrench_youtube_votes_on_every_fixture_row()
    {
        var rows = ExampleData.YouTubeFixture();
        Assert.Equal(1686, rows.Count);
        var matrix = ExampleData.Apply(YouTubeSpamLfs.All, YouTubeSpamLfs.Cardinality, rows.Select(r => r.Text).ToArray());

        var (compared, differing, first) = ExampleData.Compare(matrix, rows);
        Assert.Equal(1686L * 7, compared);
        Assert.True(differing == 0, $"{differing} of {compared} cells differ:{Environment.NewLine}{first}");
        // The comparison is not vacuous: every LF fires on the fixture.
        Assert.All(Enumerable.Range(0, 7), j => Assert.Contains(Enumerable.Range(0, rows.Count), i => matrix[i, j] != -1));
    }

    [Fact]
    public void Rules_file_gives_the_same_votes_as_the_csharp_lfs()
    {
        var rows = ExampleData.YouTubeFixture();
        var rules = ExampleData.Rules("youtube.rules.json");
        Assert.Equal(["HAM", "SPAM"], rules.ClassNames);
        var columns = new DataColumns(["text"]);
        var records = rows.Select((r, i) => new DataRecord(columns, [r.Text], i + 1)).ToArray();

        var fromRules = ExampleData.Apply(rules.Compile(columns), rules.Cardinality, records);
        var fromCode = ExampleData.Apply(YouTubeSpamLfs.All, YouTubeSpamLfs.Cardinality, rows.Select(r => r.Text).ToArray());

        Assert.Equal(fromCode.LfNames, fromRules.LfNames);
        int differing = 0;
        for (int i = 0; i < fromCode.Votes.Length; i++)
        {
            differing += fromCode.Votes[i] != fromRules.Votes[i] ? 1 : 0;
        }

        Assert.True(differing == 0, $"{differing} of {fromCode.Votes.Length} cells differ between youtube.rules.json and YouTubeSpamLfs.");
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("   \t\n", 0)]
    [InlineData("cool video!\ufeff", 2)]
    [InlineData("  a  b\tc\nd  ", 4)]
    [InlineData("a b c d e", 5)]
    [InlineData("a\u001cb\u001dc\u001ed\u001fe", 5)] // Python splits on the information separators
    [InlineData("a\u00a0b\u2003c\u3000d", 4)]
    [InlineData("a\u200bb", 1)] // zero-width space is not white space in Python either
    public void CountWords_follows_python_str_split(string text, int words) =>
        Assert.Equal(words, YouTubeSpamLfs.CountWords(text));

    [Theory]
    [InlineData("", true)]
    [InlineData("a b c d", true)]
    [InlineData("a b c d \n", true)]
    [InlineData("\n a b c d", true)]
    [InlineData("a b c d e", false)]
    [InlineData("a b c d\u001ce", false)]
    [InlineData("one two three four five six seven", false)]
    [InlineData("a\u00a0b c d e", false)]
    public void Short_comment_regex_in_the_rules_file_agrees_with_the_word_count(string text, bool isShort)
    {
        var rules = ExampleData.Rules("youtube.rules.json");
        var columns = new DataColumns(["text"]);
        var regexLf = rules.Compile(columns).Single(lf => lf.Name == "short_comment");
        var codeLf = YouTubeSpamLfs.All.Single(lf => lf.Name == "short_comment");
        int expected = isShort ? YouTubeSpamLfs.Ham : -1;
        Assert.Equal(expected, codeLf.Vote(text));
        Assert.Equal(expected, regexLf.Vote(new DataRecord(columns, [text], 1)));
    }

    [Fact]
    public void Demo_reads_the_bundled_csvs_and_prints_a_summary()
    {
        var comments = YouTubeDemo.LoadComments(YouTubeDemo.DefaultDataDirectory);
        Assert.Equal(1586, comments.Count);
        Assert.Equal(831, comments.Count(c => c.Class == 1));
        // The one CONTENT field with a quoted line break survives as one comment.
        Assert.Contains(comments, c => c.Content.Contains('\n', StringComparison.Ordinal));

        using var output = new StringWriter();
        Assert.Equal(0, YouTubeDemo.Run(null, output));
        var text = output.ToString();
        Assert.Contains("1586 comments from 4 videos, 7 LFs", text, StringComparison.Ordinal);
        Assert.All(YouTubeSpamLfs.All, lf => Assert.Contains(lf.Name, text, StringComparison.Ordinal));
    }
}
