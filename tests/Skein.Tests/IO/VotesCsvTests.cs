using CsCheck;
using Skein.Data;
using Skein.IO;

namespace Skein.Tests.IO;

public sealed class VotesCsvTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_ParsesVotes_InfersCardinality_DefaultNames()
    {
        var path = _dir.WriteText("v.csv", "1,-1,0\r\n-1,-1,-1\r\n0, 2 ,1\n\n");
        var m = VotesCsv.Read(path);
        Assert.Equal(3, m.RowCount);
        Assert.Equal(3, m.Cardinality);
        Assert.Equal(["lf_0", "lf_1", "lf_2"], m.LfNames);
        Assert.Equal(new sbyte[] { 1, -1, 0, -1, -1, -1, 0, 2, 1 }, m.Votes.ToArray());
    }

    [Fact]
    public void Read_CardinalityAtLeastTwo_AndNamesApplied()
    {
        var path = _dir.WriteText("v.csv", "-1,0\n0,-1");
        var m = VotesCsv.Read(path, lfNames: ["kw", "re"]);
        Assert.Equal(2, m.Cardinality);
        Assert.Equal(["kw", "re"], m.LfNames);
        Assert.Equal(2, m.RowCount);
    }

    [Fact]
    public void Read_SkipsUtf8Bom()
    {
        var path = _dir.WriteBytes("bom.csv", [0xEF, 0xBB, 0xBF, .. "1,0\n"u8.ToArray()]);
        Assert.Equal(new sbyte[] { 1, 0 }, VotesCsv.Read(path).Votes.ToArray());
    }

    [Fact]
    public void RoundTrip_Property()
    {
        var gen = Gen.Int[2, 6].SelectMany(k => Gen.Int[1, 8].SelectMany(m =>
            Gen.Int[-1, k - 1].Array[m].Array[1, 40].Select(rows => (k, m, rows))));
        gen.Sample(t =>
        {
            var matrix = LabelMatrix.FromRows(t.rows.Select(r => (IReadOnlyList<int>)r).ToArray(), t.k);
            var path = _dir.File($"rt-{Guid.NewGuid():N}.csv");
            VotesCsv.Write(path, matrix);
            var back = VotesCsv.Read(path, t.k);
            File.Delete(path);
            return back.Votes.SequenceEqual(matrix.Votes) && back.RowCount == matrix.RowCount && back.LfCount == t.m;
        }, iter: 100);
    }

    [Fact]
    public void RoundTrip_LargeCardinality()
    {
        var matrix = LabelMatrix.FromRows([[126, -1, 99, 10, 0], [9, 100, -1, 125, 1]], LabelMatrix.MaxCardinality);
        var path = _dir.File("big-k.csv");
        VotesCsv.Write(path, matrix);
        Assert.Equal("126,-1,99,10,0\n9,100,-1,125,1\n", File.ReadAllText(path));
        Assert.Equal(matrix.Votes.ToArray(), VotesCsv.Read(path, LabelMatrix.MaxCardinality).Votes.ToArray());
    }

    [Fact]
    public void Writer_StreamsChunks_NothingVisibleUntilCommit()
    {
        var path = _dir.File("stream.csv");
        var a = LabelMatrix.FromRows([[0, 1], [-1, -1]], 2);
        var b = LabelMatrix.FromRows([[1, 0]], 2);
        using (var writer = VotesCsv.CreateWriter(path))
        {
            writer.Append(a);
            writer.Append(b);
            Assert.False(File.Exists(path));
            writer.Commit();
        }

        Assert.Equal("0,1\n-1,-1\n1,0\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public void Writer_DisposeWithoutCommit_LeavesNothing()
    {
        var path = _dir.File("aborted.csv");
        using (var writer = VotesCsv.CreateWriter(path))
        {
            writer.Append(LabelMatrix.FromRows([[0, 1]], 2));
        }

        Assert.Empty(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public void Writer_RejectsChunkWithOtherLfCount_AndAppendAfterCommit()
    {
        var path = _dir.File("w.csv");
        using var writer = VotesCsv.CreateWriter(path);
        writer.Append(LabelMatrix.FromRows([[0, 1]], 2));
        Assert.Throws<ArgumentException>(() => writer.Append(LabelMatrix.FromRows([[0, 1, 1]], 2)));
        writer.Commit();
        Assert.Throws<InvalidOperationException>(() => writer.Append(LabelMatrix.FromRows([[0, 1]], 2)));
    }

    [Fact]
    public void Read_NonInteger_NamesFileRowColumn()
    {
        var path = _dir.WriteText("bad.csv", "0,1,1\n1,x,0\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Equal("2", e.Column);
        Assert.Contains("bad.csv, row 2, column 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Header_HintsThatThereIsNone()
    {
        var path = _dir.WriteText("hdr.csv", "lf_a,lf_b\n0,1\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Equal(1, e.Row);
        Assert.Contains("no header", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,1\n1,0,1\n", 2, 3)]
    [InlineData("0,1,1\n1,0,1\n0,0\n", 3, 2)]
    public void Read_RaggedRow_NamesRowsAndCounts(string content, int badRow, int badCount)
    {
        var path = _dir.WriteText("ragged.csv", content);
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Equal(badRow, e.Row);
        Assert.Contains("ragged.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains($"row {badRow} has {badCount} votes; row 1 has", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_VoteBelowMinusOne_Throws()
    {
        var path = _dir.WriteText("neg.csv", "0,1,1\n1,0,-2\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Equal("3", e.Column);
        Assert.Contains("neg.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("-2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_VoteAtCardinality_Throws_ButFineWithoutCardinality()
    {
        var path = _dir.WriteText("k.csv", "0,1\n2,0\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path, cardinality: 2));
        Assert.Equal(2, e.Row);
        Assert.Equal("1", e.Column);
        Assert.Contains("k.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("[-1, 2)", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, VotesCsv.Read(path).Cardinality);
    }

    [Fact]
    public void Read_VoteTooLargeForSbyte_Throws()
    {
        var path = _dir.WriteText("huge.csv", "0,99999999999\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Equal("2", e.Column);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void Read_Empty_Throws(string content)
    {
        var path = _dir.WriteText("empty.csv", content);
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Contains("empty.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BlankLineInMiddle_Throws()
    {
        var path = _dir.WriteText("gap.csv", "0,1\n\n1,0\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path));
        Assert.Equal(2, e.Row);
    }

    [Fact]
    public void Read_Missing_Throws()
    {
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(_dir.File("none.csv")));
        Assert.Contains("none.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongNameCount_Throws()
    {
        var path = _dir.WriteText("n.csv", "0,1\n");
        var e = Assert.Throws<DataFormatException>(() => VotesCsv.Read(path, lfNames: ["a", "b", "c"]));
        Assert.Contains("n.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LinesLongerThanReadBuffer()
    {
        // A 300k-LF row exceeds the 1 MiB read buffer and must not be split.
        var row = string.Join(",", Enumerable.Range(0, 300_000).Select(i => i % 3 - 1));
        var path = _dir.WriteText("wide.csv", row + "\n" + row + "\n");
        var m = VotesCsv.Read(path);
        Assert.Equal(2, m.RowCount);
        Assert.Equal(300_000, m.LfCount);
        var expected = Enumerable.Range(0, 300_000).Select(i => (sbyte)(i % 3 - 1)).ToArray();
        Assert.Equal(expected, m.Row(1).ToArray());
    }

    [Fact]
    public void Read_MillionByTwenty_IsFast()
    {
        var votes = new sbyte[1_000_000 * 20];
        var rng = new Random(7);
        for (int i = 0; i < votes.Length; i++)
        {
            votes[i] = (sbyte)(rng.Next(4) - 1);
        }

        var matrix = LabelMatrix.FromRowMajor(votes, LabelMatrix.DefaultNames(20), 3);
        var path = _dir.File("million.csv");
        VotesCsv.Write(path, matrix);
        var back = VotesCsv.Read(path, 3);
        Assert.True(back.Votes.SequenceEqual(matrix.Votes));
    }
}
