using CsCheck;
using Skein.IO;

namespace Skein.Tests.IO;

public sealed class GoldLabelsTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RoundTrip_Property()
    {
        Gen.Int[-1, 50].Array[0, 60].Sample(labels =>
        {
            var path = _dir.File($"g-{Guid.NewGuid():N}.txt");
            GoldLabels.Write(path, labels);
            var back = GoldLabels.Read(path);
            File.Delete(path);
            return back.SequenceEqual(labels);
        }, iter: 100);
    }

    [Fact]
    public void Read_TrailingBlankLinesAndCrLf()
    {
        var path = _dir.WriteText("g.txt", "1\r\n-1\r\n 0 \r\n\r\n\n");
        Assert.Equal([1, -1, 0], GoldLabels.Read(path));
    }

    [Fact]
    public void Write_OneLabelPerLine()
    {
        var path = _dir.File("g.txt");
        GoldLabels.Write(path, [2, -1, 0]);
        Assert.Equal("2\n-1\n0\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("0\n1\nspam\n", 3)]
    [InlineData("0\n-2\n", 2)]
    [InlineData("0\n1.5\n", 2)]
    [InlineData("0\n\n1\n", 2)]
    public void Read_Errors_NameFileAndLine(string content, int line)
    {
        var path = _dir.WriteText("gold.txt", content);
        var e = Assert.Throws<DataFormatException>(() => GoldLabels.Read(path));
        Assert.Equal(line, e.Row);
        Assert.Contains($"gold.txt, row {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Missing_Throws()
    {
        var e = Assert.Throws<DataFormatException>(() => GoldLabels.Read(_dir.File("none.txt")));
        Assert.Contains("none.txt", e.Message, StringComparison.Ordinal);
    }
}
