using Skein.IO;

namespace Skein.Tests.IO;

public sealed class VotesRangeTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("99999999999999999999", null, "vote 99999999999999999999 is too large")]
    [InlineData("99999999999999999999", 3, "vote 99999999999999999999 is outside [-1, 3)")]
    [InlineData("-99999999999999999999", 3, "vote -99999999999999999999 is below -1")]
    [InlineData("100001", null, "vote 100001 is too large")]
    public void HugeVote_IsOutOfRange_QuotedAsWritten(string vote, int? cardinality, string expected)
    {
        var path = _dir.WriteText("v.csv", $"0,1\n1,{vote}\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path, cardinality));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Row);
        Assert.Equal("2", e.Column);
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("-99999999999999999999")]
    public void HugeVote_Source_IsOutOfRange_QuotedAsWritten(string vote)
    {
        var path = _dir.WriteText("v.csv", $"0,1\n1,{vote}\n");
        var source = new VotesCsvSource(path, 3);
        var e = Assert.Throws<DataFormatException>(() => source.ReadChunks().ToList());
        Assert.Contains($"vote {vote} is outside [-1, 3)", e.Message, StringComparison.Ordinal);
    }
}

public sealed class LabelRangeTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Gold_HugeLabel_IsOutOfRange()
    {
        var e = Assert.Throws<DataFormatException>(() => GoldLabels.Read(_dir.WriteText("g.txt", "0\n99999999999999999999\n")));
        Assert.Contains("label 99999999999999999999 is out of range", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Row);
    }

    [Fact]
    public void Wrench_HugeVote_IsOutOfRange_QuotedAsWritten()
    {
        var path = _dir.WriteText("train.json", """{"0": {"label": 0, "weak_labels": [99999999999999999999, -1]}}""");
        var e = Assert.Throws<DataFormatException>(() => WrenchDataset.Load(path));
        Assert.Contains("is 99999999999999999999, out of range", e.Message, StringComparison.Ordinal);
    }
}
