using CsCheck;
using Parquet;
using Parquet.Schema;
using Skein.Data;
using Skein.IO;

namespace Skein.Tests.IO;

public sealed class LabelMatrixParquetTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertSame(LabelMatrix expected, LabelMatrix actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Cardinality, actual.Cardinality);
        Assert.Equal(expected.LfNames, actual.LfNames);
        Assert.True(expected.Votes.SequenceEqual(actual.Votes));
    }

    [Fact]
    public void RoundTrip_Property()
    {
        var gen = Gen.Int[2, 9].SelectMany(k => Gen.Int[1, 6].SelectMany(m =>
            Gen.Int[-1, k - 1].Array[m].Array[0, 50].Select(rows => (k, m, rows))));
        gen.Sample(t =>
        {
            var names = Enumerable.Range(0, t.m).Select(j => $"lf {j} ü").ToArray();
            var matrix = LabelMatrix.FromRowMajor(t.rows.SelectMany(r => r.Select(v => (sbyte)v)).ToArray(), names, t.k);
            var path = _dir.File($"m-{Guid.NewGuid():N}.parquet");
            LabelMatrixParquet.Write(path, matrix);
            var back = LabelMatrixParquet.Read(path);
            File.Delete(path);
            return back.RowCount == matrix.RowCount && back.Cardinality == t.k
                && back.LfNames.SequenceEqual(names) && back.Votes.SequenceEqual(matrix.Votes);
        }, iter: 40);
    }

    [Fact]
    public void RoundTrip_KeepsCardinalityLargerThanVotes()
    {
        // k = 5 but no one votes above 1: only the metadata can restore k.
        var matrix = LabelMatrix.FromRows([[0, 1], [-1, 1]], 5, ["a", "b"]);
        var path = _dir.File("k.parquet");
        LabelMatrixParquet.Write(path, matrix);
        AssertSame(matrix, LabelMatrixParquet.Read(path));
    }

    [Fact]
    public void RoundTrip_SeveralRowGroups_IsFast()
    {
        // More rows than one row group holds, so the row-group stitching is exercised.
        int n = (1 << 20) + 1234;
        const int m = 20;
        var votes = new sbyte[n * m];
        var rng = new Random(3);
        for (int i = 0; i < votes.Length; i++)
        {
            votes[i] = (sbyte)(rng.Next(4) - 1);
        }

        var matrix = LabelMatrix.FromRowMajor(votes, LabelMatrix.DefaultNames(m), 3);
        var path = _dir.File("big.parquet");
        LabelMatrixParquet.Write(path, matrix);
        var back = LabelMatrixParquet.Read(path);
        AssertSame(matrix, back);
    }

    [Fact]
    public async Task Write_UsesSnappyAndStoresMetadata()
    {
        var path = _dir.File("meta.parquet");
        LabelMatrixParquet.Write(path, LabelMatrix.FromRows([[0, 1, -1]], 3));
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Equal("3", reader.CustomMetadata[LabelMatrixParquet.CardinalityKey]);
        Assert.Equal("1", reader.CustomMetadata[LabelMatrixParquet.FormatVersionKey]);
        var codecs = reader.Metadata!.RowGroups.SelectMany(g => g.Columns).Select(c => c.MetaData!.Codec.ToString()).Distinct();
        Assert.Equal(["SNAPPY"], codecs);
    }

    [Fact]
    public void Write_FailureLeavesNoFile()
    {
        var path = _dir.File("x.parquet");
        Assert.Throws<ArgumentNullException>(() => LabelMatrixParquet.Write(path, null!));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public async Task Read_WithoutCardinalityMetadata_InfersMaxPlusOne()
    {
        var path = _dir.File("foreign.parquet");
        await WriteForeign(path, new DataField<sbyte>("lf_a"), new sbyte[] { 2, -1, 0 });
        var matrix = LabelMatrixParquet.Read(path);
        Assert.Equal(3, matrix.Cardinality);
        Assert.Equal(["lf_a"], matrix.LfNames);
        Assert.Equal(new sbyte[] { 2, -1, 0 }, matrix.Votes.ToArray());
    }

    [Fact]
    public void Read_NotParquet_NamesFile()
    {
        var path = _dir.WriteText("votes.parquet", "0,1\n1,0\n");
        var e = Assert.Throws<DataFormatException>(() => LabelMatrixParquet.Read(path));
        Assert.Contains("votes.parquet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_WrongColumnType_NamesColumn()
    {
        var path = _dir.File("ints.parquet");
        await WriteForeign(path, new DataField<double>("score"), new[] { 0.5 });
        var e = Assert.Throws<DataFormatException>(() => LabelMatrixParquet.Read(path));
        Assert.Equal("score", e.Column);
        Assert.Contains("ints.parquet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_VoteBelowMinusOne_NamesRowAndColumn()
    {
        var path = _dir.File("neg.parquet");
        await WriteForeign(path, new DataField<sbyte>("lf_x"), new sbyte[] { 0, 1, -5 });
        var e = Assert.Throws<DataFormatException>(() => LabelMatrixParquet.Read(path));
        Assert.Equal(3, e.Row);
        Assert.Equal("lf_x", e.Column);
    }

    [Fact]
    public void Read_Missing_NamesFile()
    {
        var e = Assert.Throws<DataFormatException>(() => LabelMatrixParquet.Read(_dir.File("none.parquet")));
        Assert.Contains("none.parquet", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A Parquet file written without Skein's metadata, as another tool would.</summary>
    private static async Task WriteForeign<T>(string path, DataField<T> field, T[] values)
        where T : struct
    {
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(field), stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<T>(field, values.AsMemory());
    }
}
