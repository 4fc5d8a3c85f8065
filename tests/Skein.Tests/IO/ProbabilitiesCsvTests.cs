using CsCheck;
using Skein.Data;
using Skein.IO;

namespace Skein.Tests.IO;

public sealed class ProbabilitiesCsvTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ProbabilisticLabels Normalised(double[][] rows)
    {
        var values = rows.SelectMany(r =>
        {
            var sum = r.Sum();
            return r.Select(x => x / sum);
        }).ToArray();
        return ProbabilisticLabels.FromRowMajor(values, rows[0].Length);
    }

    [Fact]
    public void RoundTrip_IsBitIdentical_Property()
    {
        var gen = Gen.Int[2, 5].SelectMany(k => Gen.Double[1e-12, 1e3].Array[k].Array[1, 30]);
        gen.Sample(rows =>
        {
            var labels = Normalised(rows);
            var path = _dir.File($"p-{Guid.NewGuid():N}.csv");
            ProbabilitiesCsv.Write(path, labels);
            var back = ProbabilitiesCsv.Read(path);
            File.Delete(path);
            return back.Cardinality == labels.Cardinality
                && back.RowCount == labels.RowCount
                && back.Values.ToArray().Select(BitConverter.DoubleToInt64Bits)
                    .SequenceEqual(labels.Values.ToArray().Select(BitConverter.DoubleToInt64Bits));
        }, iter: 100);
    }

    [Fact]
    public void Write_HasHeader_AndReadWithoutHeaderWorks()
    {
        var path = _dir.File("p.csv");
        ProbabilitiesCsv.Write(path, ProbabilisticLabels.FromRowMajor([0.25, 0.75, 1, 0], 2));
        Assert.Equal("p0,p1\n0.25,0.75\n1,0\n", File.ReadAllText(path));

        var bare = _dir.WriteText("bare.csv", "0.1,0.2,0.7\r\n0,0,1\r\n");
        var labels = ProbabilitiesCsv.Read(bare);
        Assert.Equal(3, labels.Cardinality);
        Assert.Equal(2, labels.RowCount);
        Assert.Equal(0.7, labels[0, 2]);
    }

    [Fact]
    public void Read_NaN_NamesRowAndColumn()
    {
        var path = _dir.WriteText("nan.csv", "p0,p1\n0.5,0.5\nNaN,1\n");
        var e = Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Equal("p0", e.Column);
        Assert.Contains("nan.csv, row 2, column 'p0'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Negative_NamesColumnNumberWithoutHeader()
    {
        var path = _dir.WriteText("neg.csv", "0.5,0.5\n1.5,-0.5\n");
        var e = Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Equal("2", e.Column);
        Assert.Contains("neg.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RowNotSummingToOne_NamesRow()
    {
        var path = _dir.WriteText("sum.csv", "p0,p1\n0.5,0.5\n0.2,0.2\n");
        var e = Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Contains("sum.csv, row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RaggedRow_NamesRow()
    {
        var path = _dir.WriteText("rag.csv", "0.5,0.5\n0.2,0.3,0.5\n");
        var e = Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Contains("rag.csv, row 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonNumberAfterFirstRow_Throws()
    {
        var path = _dir.WriteText("txt.csv", "p0,p1\n0.5,0.5\n0.5,half\n");
        var e = Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(path));
        Assert.Equal(2, e.Row);
        Assert.Equal("p1", e.Column);
        Assert.Contains("'half'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("p0,p1\n")]
    public void Read_NoRows_Throws(string content)
    {
        var path = _dir.WriteText("none.csv", content);
        var e = Assert.Throws<DataFormatException>(() => ProbabilitiesCsv.Read(path));
        Assert.Contains("none.csv", e.Message, StringComparison.Ordinal);
    }
}

public sealed class ProbabilisticLabelsTests
{
    [Fact]
    public void Shape_Indexer_Row()
    {
        var p = ProbabilisticLabels.FromRowMajor([0.2, 0.3, 0.5, 1, 0, 0], 3);
        Assert.Equal(2, p.RowCount);
        Assert.Equal(3, p.Cardinality);
        Assert.Equal(0.3, p[0, 1]);
        Assert.Equal([1.0, 0, 0], p.Row(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => p[2, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => p[0, 3]);
    }

    [Fact]
    public void ArgMax_TiesGoToLowestClass()
    {
        var p = ProbabilisticLabels.FromRowMajor([0.5, 0.5, 0.1, 0.9, 0.6, 0.4], 2);
        Assert.Equal([0, 1, 0], p.ArgMax());
        var q = ProbabilisticLabels.FromRowMajor([0.1, 0.3, 0.3, 0.3, 0.25, 0.25, 0.25, 0.25], 4);
        Assert.Equal([1, 0], q.ArgMax());
    }

    [Fact]
    public void ArgMax_MatchesMaxValue_Property()
    {
        Gen.Int[2, 6].SelectMany(k => Gen.Int[0, 4].Array[k].Where(r => r.Sum() > 0).Array[1, 20]).Sample(rows =>
        {
            var k = rows[0].Length;
            var p = ProbabilisticLabels.FromRowMajor(rows.SelectMany(r => r.Select(x => (double)x / r.Sum())).ToArray(), k);
            var argmax = p.ArgMax();
            for (int i = 0; i < rows.Length; i++)
            {
                int expected = Array.IndexOf(rows[i], rows[i].Max());
                if (argmax[i] != expected)
                {
                    return false;
                }
            }

            return true;
        }, iter: 100);
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.5, 0.3, 0.3 }, "Row 1")]
    [InlineData(new[] { double.NaN, 1.0 }, "Row 0")]
    [InlineData(new[] { 0.5, 0.5, 1.5, -0.5 }, "Row 1")]
    [InlineData(new[] { 0.5, 0.5, 0.5 }, "do not form rows")]
    public void FromRowMajor_Invalid_NamesRow(double[] values, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ProbabilisticLabels.FromRowMajor(values, 2));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRowMajor_AcceptsSumWithinTolerance()
    {
        var p = ProbabilisticLabels.FromRowMajor([0.3333333, 0.3333333, 0.3333333], 3);
        Assert.Equal(1, p.RowCount);
        Assert.Throws<ArgumentException>(() => ProbabilisticLabels.FromRowMajor([0.333, 0.333, 0.333], 3));
    }
}
