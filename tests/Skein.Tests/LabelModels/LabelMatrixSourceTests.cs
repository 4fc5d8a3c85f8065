using Skein.Data;
using Skein.IO;
using Skein.LabelModels;
using Skein.Tests.IO;

namespace Skein.Tests.LabelModels;

public sealed class LabelMatrixSourceTests
{
    private static LabelMatrix Concat(ILabelMatrixSource source) => LabelMatrix.Concat(source.ReadChunks().ToList());

    [Theory]
    [InlineData(1)]
    [InlineData(333)]
    [InlineData(1_000_000)]
    public void In_memory_chunks_concatenate_to_the_matrix(int chunkRows)
    {
        var matrix = Fixtures.Small;
        var source = LabelMatrixSource.FromMatrix(matrix, chunkRows);

        Assert.True(Concat(source).Votes.SequenceEqual(matrix.Votes));
        Assert.True(Concat(source).Votes.SequenceEqual(matrix.Votes)); // re-readable
        Assert.All(source.ReadChunks(), c => Assert.InRange(c.RowCount, 1, chunkRows));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(6_000)]
    public void Csv_source_reads_what_VotesCsv_reads_in_chunks(int chunkRows)
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("votes.csv");
        VotesCsv.Write(path, Fixtures.Small);

        var source = new VotesCsvSource(path, cardinality: 3, chunkRows);

        Assert.Equal(5, source.LfCount);
        Assert.True(Concat(source).Votes.SequenceEqual(VotesCsv.Read(path, 3).Votes));
        Assert.True(Concat(source).Votes.SequenceEqual(Fixtures.Small.Votes));
    }

    [Fact]
    public void Em_fits_from_a_csv_file_equal_the_in_memory_fits()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("votes.csv");
        VotesCsv.Write(path, Fixtures.Large);
        var source = new VotesCsvSource(path, cardinality: 3, chunkRows: 3_000);

        var dp = new DataProgramming().Fit(source);
        var ds = new DawidSkene().Fit(source);

        Assert.True(new DataProgramming().Fit(Fixtures.Large).PredictProba(Fixtures.Large)
            .BitwiseEquals(dp.PredictProba(Fixtures.Large)));
        Assert.True(new DawidSkene().Fit(Fixtures.Large).PredictProba(Fixtures.Large)
            .BitwiseEquals(ds.PredictProba(Fixtures.Large)));
    }

    [Fact]
    public void Csv_source_handles_crlf_bom_and_trailing_blank_lines()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.WriteBytes("v.csv", [0xEF, 0xBB, 0xBF, .. "0,1,-1\r\n-1, 1 ,0\r\n\r\n"u8.ToArray()]);

        var matrix = Concat(new VotesCsvSource(path, 2));

        Assert.Equal(new sbyte[] { 0, 1, -1, -1, 1, 0 }, matrix.Votes.ToArray());
    }

    [Theory]
    [InlineData("0,1,1\n0,x,1\n", 2, "2")]
    [InlineData("0,1,1\n0,1\n", 2, null)]
    [InlineData("0,1,1\n0,1,2\n", 2, "3")]
    [InlineData("0,1,1\n\n0,1,1\n", 2, null)]
    public void Csv_source_errors_name_the_line_and_column(string content, long line, string? column)
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.WriteText("bad.csv", content);

        var error = Assert.Throws<DataFormatException>(() => Concat(new VotesCsvSource(path, 2)));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(line, error.Row);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void Empty_source_is_a_clear_error()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.WriteText("empty.csv", "\n\n");

        Assert.Throws<DataFormatException>(() => new VotesCsvSource(path, 2));
        var empty = LabelMatrixSource.FromMatrix(LabelMatrix.FromRowMajor([], LabelMatrix.DefaultNames(3), 2));
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => new DataProgramming().Fit(empty)).Message,
            StringComparison.Ordinal);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => new DawidSkene().Fit(empty)).Message,
            StringComparison.Ordinal);
    }
}
